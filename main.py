"""Entry point of the packaged app (`flet build`): see officer_app/entry.py."""

import flet as ft

from officer_app.entry import phone_main

if __name__ == "__main__":
    ft.run(phone_main)
