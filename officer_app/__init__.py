"""Tindak's officer app: the Flet client field officers, supervisors and validators use.

Rooms inside: `profile` (the deployment profile), `i18n` (id/en strings), `state/`
(observable view-models: state + intents, no Flet controls), `views/` (one
`@ft.component` per file, functions of the view-models), `runtime` (the device: its
database, token store and sync engine), `launch` (serving the app) and `cli` (`tindak`).
"""

__version__ = "0.1.0"
