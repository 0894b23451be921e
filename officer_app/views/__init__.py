"""Views: one `@ft.component` per file, each a function of the session's view-models.

Views lay things out and forward events to view-model intents; they compute nothing a
test would need to check (the models precompute texts and decisions). Every control a
test or an officer's screen reader needs carries a stable semantics identifier.
"""
