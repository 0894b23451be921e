"""View-models: observable state with intent methods, one screen (or concern) per module.

They hold no Flet controls and never touch SQL or HTTP: they call the `Device`
(officer_app.device), which calls `local_db`, `sync` and the photo pipeline. Blocking
work runs in a worker thread (`asyncio.to_thread`); state is only ever changed on the
UI event loop, so a view never renders half an update.
"""
