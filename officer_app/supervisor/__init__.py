"""The supervisor's screens (suku dinas / unit): dashboard, dispatch, extensions, SLA
watch, team and export, map. View-models here, components in `views/`; data through
`RoleData` (local_db.figures + Device). See docs/roles.md."""
