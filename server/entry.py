"""`tindak-server`'s entry point, importable without the `server` extra.

`pip install tindak` installs the officer client and this command; the server's own
dependencies (FastAPI, uvicorn, SQLAlchemy, argon2, psycopg) come with
`pip install 'tindak[server]'`. Without them the command says so in one line instead of
a traceback. Nothing here imports a third-party module at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

INSTALL_HINT = "pip install 'tindak[server]'"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from .cli import main as cli_main
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] in ("server", "domain"):
            raise  # the package itself is broken: that is a bug, not a missing extra
        print(
            f"tindak-server: server belum terpasang / the reference server is not "
            f"installed (no module {exc.name!r}): {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    return cli_main(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
