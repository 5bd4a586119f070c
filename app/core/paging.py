"""One page of a query, with the total count of its rows."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from app.extensions import db


def page_of(query: Select, page_no: int, per_page: int) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page_no - 1) * per_page)).all()
    return list(rows), total
