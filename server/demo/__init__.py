"""A deterministic, realistic Jakarta CRM dataset for demos, tests and benchmarks.

`seed_demo(engine_or_conn, reports=5000, seed=2024)` fills the central database with
the wilayah units, five dinas with their suku dinas, Biro Pemerintahan, ~1,200 staff,
reporters (kept in `reporters` only) and reports whose category and channel mix follow
the 2024 figures and whose states come from stories driven through the workflow rules.
The same seed and `now` give the same data. Demo logins (password `tindak123`):
`petugas.demo`, `supervisor.demo`, `validator.demo`, `koordinator.demo`.

Modules: `world` (units, staff), `text` (Indonesian words), `stories` (one report's
life), `photos` (drawn before/after JPEGs), `generate` (the dataset, pure), `seed`
(bulk writes).
"""

from .generate import Dataset, category_weights, channel_weights, generate
from .seed import (
    DEFAULT_REPORTS,
    DEFAULT_SEED,
    AlreadySeeded,
    DemoError,
    DemoSummary,
    UnitConflict,
    seed_demo,
)
from .world import DEMO_KELURAHAN_CODE, DEMO_LOGINS, DEMO_PASSWORD, DemoLogin

__all__ = [
    "DEFAULT_REPORTS",
    "DEFAULT_SEED",
    "DEMO_KELURAHAN_CODE",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "AlreadySeeded",
    "Dataset",
    "DemoError",
    "DemoLogin",
    "DemoSummary",
    "UnitConflict",
    "category_weights",
    "channel_weights",
    "generate",
    "seed_demo",
]
