"""The public Open311 view of private and public reports, over real HTTP, on SQLite and
PostgreSQL: a private report shows only what its reporter needs to follow it."""

from __future__ import annotations

from typing import Any

from tests.intake.kit import Intake

BUNDARAN_HI = {"lat": "-6.1950", "long": "106.8230"}  # Kelurahan Menteng
DESCRIPTION = "Pohon tumbang menutup jalan di depan rumah nomor 17 milik keluarga kami."
ADDRESS = "Jl. M.H. Thamrin No. 17, Menteng"
MEDIA = "https://foto.example/pohon-17.jpg"
HIDDEN_WHEN_PRIVATE = ("description", "address", "lat", "long", "media_url")
FOLLOW_UP = (
    "service_request_id",
    "tracking_id",
    "service_code",
    "service_name",
    "status",
    "crm_status",
    "status_notes",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "agency_responsible",
)


def _post(intake: Intake, visibility: str) -> str:
    response = intake.post(
        service_code="pohon",
        description=DESCRIPTION,
        address_string=ADDRESS,
        media_url=MEDIA,
        **{"attribute[visibility]": visibility},
        **BUNDARAN_HI,
    )
    assert response.status_code == 201, response.text
    tracking: str = response.json()[0]["service_request_id"]
    return tracking


def _views(intake: Intake, tracking: str) -> list[dict[str, Any]]:
    """The request as the unauthenticated GETs show it: alone, in the list, by id list."""
    (one,) = intake.get(f"requests/{tracking}.json").json()
    listed = {r["service_request_id"]: r for r in intake.get("requests.json").json()}
    (by_ids,) = intake.get("requests.json", service_request_id=tracking).json()
    return [one, listed[tracking], by_ids]


def test_a_private_report_shows_only_what_its_reporter_needs_to_follow_it(
    intake: Intake,
) -> None:
    tracking = _post(intake, "private")
    for view in _views(intake, tracking):
        for name in HIDDEN_WHEN_PRIVATE:
            assert view[name] is None, (name, view)
        for name in FOLLOW_UP:
            assert view[name] not in (None, ""), (name, view)
        assert view["service_request_id"] == tracking
        assert view["agency_responsible"] == "Kelurahan Menteng"
        text = repr(view)
        for secret in ("Pohon tumbang", "nomor 17", "Thamrin", "-6.195", "106.823", "pohon-17"):
            assert secret not in text, secret


def test_a_private_report_is_private_without_the_attribute_too(intake: Intake) -> None:
    response = intake.post(service_code="pohon", description=DESCRIPTION, **BUNDARAN_HI)
    assert response.status_code == 201, response.text
    tracking = response.json()[0]["service_request_id"]
    for view in _views(intake, tracking):
        assert (view["description"], view["lat"], view["long"]) == (None, None, None)


def test_a_public_report_shows_its_text_location_and_media(intake: Intake) -> None:
    tracking = _post(intake, "public")
    for view in _views(intake, tracking):
        assert view["description"] == DESCRIPTION
        assert view["address"] == ADDRESS
        assert (view["lat"], view["long"]) == (-6.195, 106.823)
        assert view["media_url"] == MEDIA


def test_the_service_definition_says_what_the_public_sees(intake: Intake) -> None:
    response = intake.get("services/pohon.json")
    assert response.status_code == 200
    (attribute,) = response.json()["attributes"]
    text = attribute["description"]
    assert "private report the public sees only the tracking id" in text
    assert "no description, address, coordinates or media" in text
    assert "tanpa uraian, alamat, koordinat, maupun foto" in text
