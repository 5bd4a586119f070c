"""The audit trail for Admin and Pengawas: filters, pages, and the same rows as CSV."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core import audit
from app.core.errors import Invalid
from app.core.models import ROLES, utcnow
from app.core.workcal import WIB
from app.web.formatting import action_words
from app.web.paging import Pager, page_number, per_page

bp = Blueprint("audit", __name__, template_folder="../templates")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["id", "waktu_wib", "pengguna", "nama", "peran", "alamat", "aksi", "instans", "tugas",
              "rincian", "sebelum", "sesudah", "hash"]


def role_words(role: str | None) -> str:
    if not role:
        return ""
    return ", ".join(_(ROLES[r]) if r in ROLES else r for r in role.split(","))


def as_json(value: Any) -> str:
    if value is None or value == {}:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _date(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2999:
        errors[name] = _("Tanggal tidak valid; gunakan format TTTT-BB-HH.")
        return None
    return day


def _int(name: str, errors: dict[str, str], message: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        errors[name] = message
        return None
    return int(raw)


def _filters() -> tuple[audit.Filters, dict[str, str]]:
    """The filters from the query string, and a message beside each field that was not understood."""
    errors: dict[str, str] = {}
    start, end = _date("dari", errors), _date("sampai", errors)
    if start and end and start > end:
        errors["sampai"] = _("Tanggal akhir sebelum tanggal awal.")
        end = None
    user_id = _int("pengguna", errors, _("Pengguna tidak dikenal."))
    instance_id = _int("instans", errors, _("Nomor instans harus berupa angka."))
    return audit.Filters(start=start, end=end, user_id=user_id, action=request.args.get("aksi", "").strip() or None,
                         instance_id=instance_id, text=request.args.get("q", "")[:200]), errors


@bp.get("/jejak-audit")
@login_required
def index():
    filters, errors = _filters()
    rows, total = audit.page(current_user, filters, page_number(), per_page())
    return render_template(
        "admin/audit.html", rows=rows, pager=Pager(page_number(), per_page(), total), errors=errors,
        values={k: request.args.get(k, "") for k in ("dari", "sampai", "pengguna", "aksi", "instans", "q")},
        people=audit.people(), actions=audit.actions(), action_words=action_words, role_words=role_words,
        as_json=as_json, export_args={k: v for k, v in request.args.items() if k != "page"},
    ), 422 if errors else 200


def safe_cell(value: Any) -> str:
    """A cell that a spreadsheet shows as text: one that would start a formula gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(event: policy.EventView) -> list[str]:
    return [safe_cell(v) for v in (
        event.id, event.at.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S"),
        event.user.username if event.user else "", event.user.full_name if event.user else "",
        event.role, event.address, event.action, event.instance_id, event.task_id,
        as_json(event.detail), as_json(event.before), as_json(event.after), event.hash,
    )]


def _csv_lines(viewer, filters: audit.Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")  # so that Excel reads UTF-8
    writer.writerow(CSV_HEADER)
    yield flush()
    for n, event in enumerate(audit.each(viewer, filters), 1):
        writer.writerow(csv_row(event))
        if n % 200 == 0:
            yield flush()
    yield flush()


@bp.get("/jejak-audit.csv")
@login_required
def export():
    policy.require(policy.may_read_audit(current_user), "Jejak audit hanya untuk Admin dan Pengawas.")
    filters, errors = _filters()
    if errors:
        raise Invalid("Saringan belum benar; perbaiki di halaman Jejak Audit.", errors)
    name = f"jejak-audit-{utcnow().astimezone(WIB):%Y%m%d-%H%M}.csv"
    lines = _csv_lines(current_user._get_current_object(), filters)
    return Response(stream_with_context(lines), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
