"""Reference data shared by the app and the server: Jakarta's 267 kelurahan boundaries.

The server routes new reports with them (`server.routing`); the app draws them as the
offline map's base (`domain.boundaries`). `jakarta_kelurahan.geojson` and
`jakarta_wilayah.csv` are MIT-licensed (Cahya DSN); the licence notice
`LICENSE-cahyadsn-wilayah_boundaries.txt` travels with them and `SOURCE.md` records
their provenance and caveats. A package (not a plain folder) so that the wheel and the
phone build ship these files as package data.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
KELURAHAN_GEOJSON = DATA_DIR / "jakarta_kelurahan.geojson"
WILAYAH_CSV = DATA_DIR / "jakarta_wilayah.csv"
LICENSE_NOTICE = DATA_DIR / "LICENSE-cahyadsn-wilayah_boundaries.txt"
