"""Where a redirect may go: a path on this site, never an address elsewhere."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_path(target: str | None) -> str:
    """The target when it is a local path, else the portal's home. Browsers read "/\\" and a
    path with tabs or line breaks as "//", so those are refused too."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(c) < 32 or ord(c) == 127 for c in target) and not urlsplit(target).netloc):
        return target
    return url_for("portal.index")
