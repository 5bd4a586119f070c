"""Command line: flask --app app user ..., deploy, seed-demo."""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app.core.errors import ServiceError
from app.core.models import ROLES, User

from .catalog import data_templates, datasets, operators
from .core import users
from .extensions import db
from .workflow import processes

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


def _fail(exc: ServiceError) -> None:
    db.session.rollback()
    detail = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(exc.message + detail)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)


user_group = AppGroup("user", help="Kelola pengguna.")


@user_group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(sorted(ROLES)),
              help="Peran; boleh diulang.")
@click.option("--opd", default=None, help="Kode OPD (wajib untuk pengelola_data).")
@click.option("--name", "full_name", default="", help="Nama lengkap.")
@click.option("--email", default=None, help="Alamat e-mail untuk pemberitahuan.")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari baris pertama stdin.")
def user_create(username, roles, opd, full_name, email, password_stdin):
    """Buat pengguna baru."""
    try:
        user = users.create_user(username, list(roles), _read_password(password_stdin),
                                 opd=opd, full_name=full_name, email=email)
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Pengguna '{user.username}' dibuat dengan peran {', '.join(sorted(user.roles))}.")


@user_group.command("list")
def user_list():
    """Daftar pengguna."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        state = "aktif" if user.active else "nonaktif"
        click.echo(f"{user.username}\t{','.join(sorted(user.roles))}\t{user.opd_code or '-'}\t{state}")


@user_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari baris pertama stdin.")
def user_set_password(username, password_stdin):
    """Ganti kata sandi pengguna."""
    try:
        users.set_password(users.get_by_username(username), _read_password(password_stdin))
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Kata sandi '{username}' diganti.")


@user_group.command("disable")
@click.argument("username")
def user_disable(username):
    """Nonaktifkan pengguna dan cabut tokennya."""
    try:
        users.set_active(users.get_by_username(username), False)
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Pengguna '{username}' dinonaktifkan.")


@click.command("deploy")
@with_appcontext
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--notes", default="", help="Catatan versi.")
def deploy(file, notes):
    """Pasang FILE sebagai versi baru, atau semua proses bawaan yang berubah."""
    try:
        if file is not None:
            results = [processes.deploy(file.read_bytes(), None, notes=notes or f"dipasang dari {file.name}")]
        else:
            results = processes.deploy_shipped()
    except ServiceError as exc:
        _fail(exc)
    db.session.commit()
    for version, new in results:
        state = "dipasang" if new else "tidak berubah"
        click.echo(f"{version.process_id} versi {version.version} ({state}, sha256 {version.sha256[:12]})")



@click.command("migrate-instances")
@with_appcontext
@click.argument("process_id")
@click.option("--to", "to_version", type=int, required=True, help="Versi tujuan.")
@click.option("--apply", "apply_", is_flag=True, help="Pindahkan yang aman (tanpa ini: uji coba saja).")
def migrate_instances(process_id, to_version, apply_):
    """Uji coba (atau dengan --apply: jalankan) pemindahan proses berjalan ke versi lain."""
    from .process_admin import versions

    try:
        target, checks = versions.dry_run(process_id, to_version, None)
    except ServiceError as exc:
        _fail(exc)
    if not checks:
        click.echo(f"Tidak ada proses berjalan pada versi yang lebih lama dari versi {target.version}.")
    for check in checks:
        verdict = "BISA dipindahkan" if check.safe else "TIDAK AMAN"
        click.echo(f"#{check.instance.id} {check.instance.title} (versi {check.from_version}): {verdict}")
        for reason in check.reasons:
            click.echo(f"    {reason}")
    if not apply_:
        db.session.rollback()
        click.echo(f"Uji coba: {sum(c.safe for c in checks)} aman, {sum(not c.safe for c in checks)} tidak aman. "
                   "Tambahkan --apply untuk memindahkan yang aman.")
        return
    result = versions.apply(process_id, to_version, None)
    db.session.commit()
    click.echo(f"{len(result.moved)} proses dipindahkan ke versi {target.version}; "
               f"{len(result.refused)} tetap pada versinya.")

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
        _fail(exc)
    db.session.commit()
    path = _write_credentials(lines)
    click.echo("Pengguna demo dibuat. Kata sandi hanya ditampilkan sekali ini:")
    for line in lines:
        click.echo("  " + line.replace("\t", "  "))
    click.echo(f"(juga tersimpan di {path}, mode 600)")


audit_group = AppGroup("audit", help="Jejak audit.")


@audit_group.command("verify")
def audit_verify():
    """Periksa rantai hash jejak audit; keluar dengan kode 1 bila ada yang diubah atau dihapus."""
    from .core import audit

    result = audit.verify()
    db.session.rollback()
    if not result.ok:
        click.echo(f"RUSAK: {result.problem.message}", err=True)
        sys.exit(1)
    note = f" ({result.unchained} peristiwa lama sebelum rantai dimulai)" if result.unchained else ""
    click.echo(f"OK: {result.count} peristiwa, rantai utuh{note}")


def register(app: Flask) -> None:
    app.cli.add_command(user_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(deploy)
    app.cli.add_command(migrate_instances)
    app.cli.add_command(seed_demo)
    from .worker import worker_command

    app.cli.add_command(worker_command)
    from app.core.backup_cli import register as register_backup

    register_backup(app)
