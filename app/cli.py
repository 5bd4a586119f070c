"""Command line of the whole: flask --app app seed-demo, worker (each domain adds its own)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.catalog import data_templates, datasets, operators
from app.core import users
from app.core.cli import fail
from app.core.errors import ServiceError
from app.core.models import User
from app.extensions import db

SAMPLE_DATASET = Path(__file__).parent / "seed" / "contoh_penduduk_kecamatan.csv"
DEMO_USERS = [  # username, role, name, OPD
    ("admin", "admin", "Admin Forum Satu Data", None),
    ("redaktur", "redaktur", "Redaktur Diskominfo", None),
    ("desain", "desain", "Tim Desain Diskominfo", None),
    ("pengawas", "pengawas", "Tim Data dan Statistik", None),
    ("walidata", "walidata", "Walidata Diskominfo", None),
    ("operator", "pengelola_data", "Operator Data Dispendukcapil", "dispendukcapil"),
    ("pengaduan", "petugas_pengaduan", "Petugas Pengaduan Bidang Statistik dan Persandian", None),
]
SAMPLE_TEMPLATE = {
    "opd": "dispendukcapil", "topic": "Kependudukan", "title": "Jumlah Penduduk per Kecamatan",
    "description": "Rekap jumlah penduduk menurut jenis kelamin per kecamatan.",
}
SAMPLE_COLUMNS = [
    {"name": "kode_kecamatan", "type": "text", "required": True, "codes": "kecamatan"},
    {"name": "kecamatan", "type": "text", "required": True},
    {"name": "laki_laki", "type": "integer", "unit": "jiwa", "required": True},
    {"name": "perempuan", "type": "integer", "unit": "jiwa", "required": True},
    {"name": "jumlah", "type": "integer", "unit": "jiwa", "required": True},
]


def _write_credentials(lines: list[str]) -> Path:
    path = Path(current_app.instance_path) / "demo-credentials.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def _demo_letter_fields() -> dict[str, str]:
    today = operators.today()
    return {"number": "CONTOH/800/001/403.113/" + str(today.year), "signed_on": today.isoformat(),
            "valid_from": today.isoformat(), "valid_until": today.replace(year=today.year + 1).isoformat()}


def _demo_letter_pdf() -> bytes:
    """A one-page PDF that says plainly it is a sample, standing in for a signed letter."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 10, "CONTOH - bukan surat resmi.\nSurat penunjukan operator data untuk data demo "
                          "aplikasi Penyebarluasan Data.")
    return bytes(pdf.output())


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Isi basis data kosong dengan pengguna demo, satu templat dan satu dataset contoh."""
    if db.session.scalar(select(func.count(User.id))):
        click.echo("Basis data sudah berisi pengguna; data demo tidak ditambahkan.")
        return
    lines = []
    try:
        for username, role, name, opd in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            users.create_user(username, [role], password, full_name=name, opd=opd)
            lines.append(f"{username}\t{password}")
        admin = users.get_by_username("admin")
        operators.add_letter(users.get_by_username("operator"), _demo_letter_fields(),
                             _demo_letter_pdf(), "contoh-surat-penunjukan.pdf", admin)
        template = data_templates.create(SAMPLE_TEMPLATE, SAMPLE_COLUMNS, admin)
        sample = datasets.create(
            SAMPLE_DATASET.read_bytes(), SAMPLE_DATASET.name,
            {"title": "CONTOH — Jumlah Penduduk per Kecamatan", "opd": "dispendukcapil",
             "template": str(template.id), "period": "2025", "unit": "jiwa",
             "description": "Data contoh untuk mencoba aplikasi; angka bukan data resmi.",
             "source": "Data contoh aplikasi", "license": "CC-BY-4.0"},
            admin, preview_rows=int(current_app.config["DATASET_PREVIEW_ROWS"]), is_sample=True,
        )
        datasets.submit(sample.id, admin)
        datasets.approve(sample.id, admin)
    except ServiceError as exc:
        fail(exc)
    db.session.commit()
    path = _write_credentials(lines)
    click.echo("Pengguna demo dibuat. Kata sandi hanya ditampilkan sekali ini:")
    for line in lines:
        click.echo("  " + line.replace("\t", "  "))
    click.echo(f"(juga tersimpan di {path}, mode 600)")


def register(app: Flask) -> None:
    from app.worker import worker_command

    app.cli.add_command(seed_demo)
    app.cli.add_command(worker_command)
