"""City-wide figures for the Dasbor kota (role `analyst`): computed in the database,
served read-only, exported as CSV or XLSX. Definitions: `domain/city.py`."""

from .compute import city_figures, city_reports
from .export import ExportFormat, export_tables

__all__ = ["ExportFormat", "city_figures", "city_reports", "export_tables"]
