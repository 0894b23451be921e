"""The dashboard's category and kelurahan charts: whole names, largest first, never
squeezed under an axis where they overlapped."""

from __future__ import annotations

import flet as ft

from officer_app.supervisor.views.charts import bar_shares, ranked_bars

LONG = [
    ("Fasilitas umum dan sosial", 12),
    ("Pohon", 40),
    ("Parkir liar di badan jalan", 25),
    ("Sampah", 0),
]


def _texts(control: ft.Control) -> list[str]:
    found: list[str] = []

    def walk(c: object) -> None:
        if isinstance(c, ft.Text) and isinstance(c.value, str):
            found.append(c.value)
        for attr in ("content", "controls"):
            child = getattr(c, attr, None)
            if isinstance(child, list):
                for x in child:
                    walk(x)
            elif child is not None:
                walk(child)

    walk(control)
    return found


def test_bars_are_ranked_with_their_share_of_the_largest() -> None:
    shares = bar_shares(LONG)
    assert [s[0] for s in shares][:3] == [
        "Pohon",
        "Parkir liar di badan jalan",
        "Fasilitas umum dan sosial",
    ]
    assert shares[0][2] == 1.0 and shares[1][2] == 25 / 40 and shares[-1][2] == 0.0
    assert bar_shares([]) == []


def test_every_label_is_whole_and_on_its_own_row() -> None:
    texts = _texts(ranked_bars(LONG, identifier="chart-category"))
    for label, value in LONG:
        assert label in texts  # not cut to ten characters
        assert str(value) in texts
    # Labels and values alternate row by row: one row per bar, no shared axis.
    assert texts == [t for label, value, _ in bar_shares(LONG) for t in (label, str(value))]
