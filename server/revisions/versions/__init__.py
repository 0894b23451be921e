"""The revisions, oldest first by `down_revision` (a package so the wheel carries them)."""
