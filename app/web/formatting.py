"""Template filters: times in WIB, in Indonesian."""
from __future__ import annotations

from flask import Flask

from ..workcal import format_wib


def register(app: Flask) -> None:
    app.add_template_filter(lambda moment: format_wib(moment) if moment else "", "wib")
