"""Search text as the screens take it: a few words, trimmed and bounded, matched literally."""
from __future__ import annotations

import re

MAX_QUERY = 100  # longer input is cut rather than sent to the database


def normalize_query(q: str | None) -> str:
    """The search text as it is kept: trimmed, inner spaces collapsed, bounded."""
    return " ".join((q or "").split())[:MAX_QUERY]


def like_pattern(term: str) -> str:
    """A LIKE pattern that matches ``term`` anywhere, literally (its \\, % and _ escaped with \\)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"
