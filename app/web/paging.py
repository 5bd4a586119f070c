"""Page numbers from the query string, for screens."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def per_page() -> int:
    return int(current_app.config["PER_PAGE"])
