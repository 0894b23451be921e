"""The supervisor's components, one per file; `shell.role_view` frames each screen."""
