"""Names vulture (at 80 % confidence, run by scripts/check) reports that are used.

Each is explained; anything else it reports is dead code to remove.
"""

# Context-manager protocol: `__exit__` receives the exception triple whether it looks
# at it or not (officer_app/launch.py `WebApp`, server/embedded.py `EmbeddedServer`).
exc_type  # unused variable
tb  # unused variable
