"""Exceptions raised by the domain rules.

    DomainError
     ├── InvalidValue      a value that can never be right (naive datetime, bad code)
     └── UnknownCode       a category / channel / status code nobody defined

Refusals of a workflow action are *not* exceptions: `workflow.check()` returns a
`Decision` so that client and server can show the reason without a try block.
"""

from __future__ import annotations


class DomainError(Exception):
    """Root of every error the domain package raises."""


class InvalidValue(DomainError, ValueError):
    """A value that breaks a domain invariant."""


class UnknownCode(DomainError, KeyError):
    """A code (category, channel, status...) that is not defined."""
