"""The publication webhook: a signed JSON notice of every publication, for the regency's website.

Optional: nothing is sent while the setting WEBHOOK_URL is empty. The body is
``{"event": "publication.published", "publication": {...}}`` (the publication as the API shows
it). It goes through the outbox (app.core.outbox): written with the publication, in the same
transaction, so it leaves only once the publication is committed; the background worker POSTs it
with ``Content-Type: application/json``, ``X-Signature: sha256=<hex>`` (the HMAC-SHA256 of the raw
body keyed with WEBHOOK_SECRET) and ``X-Delivery-Id``, and tries again with a growing pause while
the receiver fails. A receiver checks the signature with ``hmac.compare_digest`` and recognises a
repeated delivery by its id.
"""
from __future__ import annotations

import json

from flask import current_app

from app.core import outbox

from . import shapes

EVENT = "publication.published"


def notify(publication) -> None:
    """Put the notice of a publication just flushed in the outbox, in the publish's transaction."""
    config, logger = current_app.config, current_app.logger
    url = (config.get("WEBHOOK_URL") or "").strip()
    if not url:
        return
    if not url.lower().startswith(("http://", "https://")):
        logger.error("WEBHOOK_URL harus diawali http:// atau https://; pemberitahuan tidak dikirim.")
        return
    try:  # absolute URLs need a request (or SERVER_NAME); a publish from elsewhere stays silent
        payload = {"event": EVENT, "publication": shapes.publication(publication)}
    except RuntimeError:
        logger.exception("Pemberitahuan webhook publikasi %s tidak dapat disusun.", publication.id)
        return
    if not config.get("WEBHOOK_SECRET"):
        logger.warning("WEBHOOK_SECRET kosong: tanda tangan webhook tidak dapat dipercaya penerima.")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    outbox.enqueue(outbox.WEBHOOK, url, body, subject=EVENT, reference=f"publication:{publication.id}")
