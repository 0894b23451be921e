"""Fixtures of the photo pipeline's tests: camera-like inputs, made once per session."""

from __future__ import annotations

import pytest

from officer_app.photos.testimages import CameraExif, camera_jpeg


@pytest.fixture(scope="session")
def camera_12mp() -> bytes:
    """A 4000x3000 phone-camera JPEG (~4.5 MB) with a full personal EXIF block."""
    return camera_jpeg(4000, 3000)


@pytest.fixture(scope="session")
def camera_small() -> bytes:
    """An 800x600 phone-camera JPEG with the same EXIF block (fast to process)."""
    return camera_jpeg(800, 600)


@pytest.fixture(scope="session")
def camera_small_no_gps() -> bytes:
    """A gallery-like photo whose GPS was stripped (Android without ACCESS_MEDIA_LOCATION)."""
    return camera_jpeg(800, 600, meta=CameraExif(latitude=None, longitude=None))
