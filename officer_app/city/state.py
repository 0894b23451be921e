"""One `CityModel` per app session (two browser tabs, two dashboards), dropped with it."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from .model import CityModel

if TYPE_CHECKING:
    from ..state.session import Session

_MODELS: weakref.WeakKeyDictionary[Session, CityModel] = weakref.WeakKeyDictionary()


def city_model(session: Session) -> CityModel:
    model = _MODELS.get(session)
    if model is None:
        model = CityModel(session.device, session.app.t)
        _MODELS[session] = model
    return model
