"""Colour profiles: the output is plain sRGB and never carries the input's ICC profile.

A phone's profile can hold device or owner strings (its description, copyright,
manufacturer and model fields), so it is never copied. A picture tagged with another
RGB space (Display P3 on recent phones, Adobe RGB from cameras) is converted to sRGB
with littlecms first, on the already reduced pixels, so its colours stay right in
every viewer without a profile; one already in sRGB is left as it is. A profile that
does not parse, is not an RGB profile, or a build of Pillow without littlecms: the
pixels are taken as sRGB (what a viewer does with an untagged JPEG).
"""

from __future__ import annotations

import io
import logging

from PIL import Image

log = logging.getLogger(__name__)

MAX_ICC_BYTES = 1024 * 1024


def to_srgb(image: Image.Image, icc: object) -> Image.Image:
    """The RGB `image` converted from the space its ICC profile `icc` describes to sRGB."""
    if not isinstance(icc, bytes) or not icc or len(icc) > MAX_ICC_BYTES:
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB" or _is_srgb(source):
            return image
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
    except Exception as exc:  # ImportError, PyCMSError, OSError: keep the pixels as they are
        log.info("colour profile ignored: %s", exc)
        return image
    return converted if isinstance(converted, Image.Image) else image


def _is_srgb(profile: object) -> bool:
    description = str(getattr(getattr(profile, "profile", None), "profile_description", ""))
    return "srgb" in description.lower().replace(" ", "")
