"""The officer app's own exceptions.

    AppError
     ├── ProfileError       the deployment profile (flet.toml) is missing or wrong
     ├── TranslationError   a translation file is missing, broken or lacks a key
     ├── SetupError         the device cannot be prepared (data folder, database)
     ├── ExportError        a CSV export cannot be written (officer_app/export.py)
     ├── MissingPartError   an optional part (web client, reference server) is not installed
     ├── PickedFileError    a gallery pick that cannot be read (in `picked_file.py`)
     └── SaveFailed         a file could be neither downloaded nor saved (export)

Errors of the rooms below (local_db, sync, the photo pipeline) are not wrapped here:
view-models catch them where an officer action meets them and turn them into a message
in both languages; nothing in the UI shows a raw exception.
"""

from __future__ import annotations


class AppError(Exception):
    """Root of every error the officer app raises itself."""


class ProfileError(AppError):
    """The deployment profile cannot be used; the message names the file and the key."""


class TranslationError(AppError):
    """A translation file is missing, is not valid JSON, or lacks a key."""


class SetupError(AppError):
    """The device's data folder or database could not be prepared."""


class MissingPartError(AppError):
    """A part this command needs is not installed; the message says what to install."""


class SaveFailed(AppError):
    """The platform could neither download nor save a file (the cause attached)."""
