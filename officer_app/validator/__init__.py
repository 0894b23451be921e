"""The validator's screens (Biro Pemerintahan): the queue waiting for validation and the
review screen with the evidence photos and keyboard shortcuts. See docs/roles.md."""
