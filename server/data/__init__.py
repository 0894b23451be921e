"""The kelurahan boundaries the server routes with: the shared copy in `domain/data/`
(the app draws the same polygons on its offline map)."""

from domain.data import DATA_DIR, KELURAHAN_GEOJSON, LICENSE_NOTICE, WILAYAH_CSV

__all__ = ["DATA_DIR", "KELURAHAN_GEOJSON", "LICENSE_NOTICE", "WILAYAH_CSV"]
