"""The public portal: what was published, its data, its images, its feed. No login needed."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from lxml import etree

from app.catalog import datasets
from app.catalog import public as catalog
from app.catalog.datasets import FREQUENCIES, STATUSES, XLSX_TYPE
from app.core import files
from app.core.errors import NotFound
from app.core.models import utcnow
from app.core.search import normalize_query
from app.publishing import publications

bp = Blueprint("portal", __name__, template_folder="../templates")

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20


def _page_args() -> tuple[int, int]:
    page = request.args.get("page", 1, type=int) or 1
    return max(page, 1), int(current_app.config["PER_PAGE"])


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


@bp.get("/")
def index():
    page, per_page = _page_args()
    q = normalize_query(request.args.get("q"))
    rows, total = publications.page(page, per_page, q=q)
    return render_template("portal/index.html", publications=rows, page=page, pages=_pages(total, per_page),
                           total=total, q=q)


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """Plain links to the networks' own share pages (no script of theirs runs here)."""
    text = f"{title} — {url}"
    return [
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
    ]


@bp.get("/publikasi/<int:publication_id>")
def publication(publication_id: int):
    row = publications.get(publication_id)
    url = url_for("portal.publication", publication_id=row.id, _external=True)
    return render_template(
        "portal/publication.html", publication=row, url=url,
        image_url=url_for("portal.media", file_id=row.design_file_id, _external=True),
        description=publications.excerpt(row.caption), ready_text=publications.ready_text(row),
        share_links=share_links(url, row.title),
    )


@bp.get("/data/<int:dataset_id>")
def dataset(dataset_id: int):
    row = datasets.get(dataset_id, current_user)
    page, per_page = _page_args()
    rows, total = publications.page(page, per_page, dataset_id=row.id)
    table = catalog.full_table(row)
    chart, chosen, errors = chart_choice(table)
    return render_template("portal/dataset.html", dataset=row, publications=rows, page=page,
                           pages=_pages(total, per_page), total=total, table=table, chart=chart,
                           chosen=chosen, errors=errors, exports=EXPORTS, frequencies=FREQUENCIES,
                           statuses=STATUSES), 422 if errors else 200


def chart_choice(table: catalog.DataTable) -> tuple[catalog.Chart | None, dict[str, str], dict[str, str]]:
    """The chart the query string asks for (?kolom=&label=), by default the first numeric column
    named by the first text column; with the chosen names and a message for each unknown one."""
    text_columns = [c for c in table.columns if c not in table.numeric]
    column = request.args.get("kolom", table.numeric[0] if table.numeric else "")
    label = request.args.get("label", text_columns[0] if text_columns else "")
    errors: dict[str, str] = {}
    if column and column not in table.columns:
        errors["kolom"] = _("Kolom “%(name)s” tidak ada pada data ini.", name=column)
    elif column and column not in table.numeric:
        errors["kolom"] = _("Kolom “%(name)s” tidak berisi angka; pilih salah satu kolom angka.", name=column)
    if label and label not in table.columns:
        errors["label"] = _("Kolom “%(name)s” tidak ada pada data ini.", name=label)
    chosen = {"kolom": column, "label": label}
    if errors or not column:
        return None, chosen, errors
    return catalog.chart(table, column, label), chosen, errors


def _private_download(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = False  # staff may fetch unpublished data: no shared caches
    response.cache_control.private = True
    return response


@bp.get("/data/<int:dataset_id>/unduh")
def dataset_download(dataset_id: int):
    """The original file of the dataset, as uploaded."""
    row = datasets.get(dataset_id, current_user)
    stored = row.file
    return _private_download(send_file(
        files.path_of(stored.sha256), mimetype=stored.content_type, as_attachment=True,
        download_name=catalog.download_name(row.title, row.period, stored.content_type), etag=stored.sha256,
        max_age=3600))


# The whole table in open formats, converted from the stored original.
EXPORTS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "json": "application/json"}


@bp.get("/data/<int:dataset_id>/unduh.<fmt>")
def dataset_export(dataset_id: int, fmt: str):
    """The whole table as CSV (UTF-8), XLSX or JSON (metadata, columns, rows with typed values)."""
    if fmt not in EXPORTS:
        raise NotFound("Format unduhan tidak dikenal; pilih CSV, XLSX atau JSON.")
    row = datasets.get(dataset_id, current_user)
    table = catalog.full_table(row)
    if fmt == "csv":
        body = catalog.as_csv(table)
    elif fmt == "xlsx":
        body = catalog.as_xlsx(table, row)
    else:
        body = catalog.as_json(table, row, url=url_for("portal.dataset", dataset_id=row.id, _external=True))
    response = Response(body, content_type=EXPORTS[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={catalog.file_stem(row.title, row.period)}.{fmt}"
    response.cache_control.max_age = 300
    return _private_download(response)


@bp.get("/media/<file_id>")
def media(file_id: str):
    """A published design; other uploads are not public."""
    stored = publications.design_file(file_id)
    response = send_file(files.path_of(stored.sha256), mimetype=stored.content_type,
                         max_age=86400, etag=stored.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _atom_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(rows) -> bytes:
    """An Atom 1.0 document (RFC 4287) of publications, built as a tree so that every text is escaped."""
    def add(parent, tag, text=None, **attrs):
        node = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
        if text is not None:
            node.text = text
        return node

    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "id")
    home = url_for("portal.index", _external=True)
    add(feed, "id", home)
    add(feed, "title", f"{current_app.config['SITE_NAME']}: Publikasi Data")
    add(feed, "subtitle", "Publikasi data sektoral Kabupaten Magetan")
    add(feed, "updated", _atom_time(rows[0].published_at if rows else utcnow()))
    add(feed, "link", rel="self", type="application/atom+xml", href=url_for("portal.feed", _external=True))
    add(feed, "link", rel="alternate", type="text/html", href=home)
    author = add(feed, "author")
    add(author, "name", current_app.config["PUBLISHER_NAME"])
    add(author, "uri", home)
    add(feed, "generator", "Penyebarluasan Data")
    designs = publications.design_files(rows)
    for p in rows:
        entry = add(feed, "entry")
        url = url_for("portal.publication", publication_id=p.id, _external=True)
        add(entry, "id", url)
        add(entry, "title", p.title, type="text")
        add(entry, "published", _atom_time(p.published_at))
        add(entry, "updated", _atom_time(p.published_at))
        add(entry, "link", rel="alternate", type="text/html", href=url)
        design = designs.get(p.design_file_id)
        image = {"type": design.content_type, "length": design.size} if design else {}
        add(entry, "link", rel="enclosure", href=url_for("portal.media", file_id=p.design_file_id, _external=True),
            title=p.title, **image)
        add(entry, "link", rel="related", type="text/html", title=p.dataset.title,
            href=url_for("portal.dataset", dataset_id=p.dataset_id, _external=True))
        add(entry, "category", term=p.dataset.opd.code, label=p.dataset.opd.name)
        add(entry, "summary", p.caption, type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


@bp.get("/feed.atom")
def feed():
    """Atom feed of the latest publications."""
    body = atom_feed(publications.latest(FEED_SIZE))
    return Response(body, content_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})
