"""The reference central server of Tindak (FastAPI + SQLAlchemy Core); see docs/server.md.

It imports `domain` and never the officer app. `create_app` (server.api) builds the HTTP
application, `EmbeddedServer` (server.embedded) runs it on loopback.
"""
