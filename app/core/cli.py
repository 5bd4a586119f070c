"""Command line of the platform: flask --app app user ..., audit verify, backup, restore."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.extensions import db

from . import audit, backup, users
from .errors import ServiceError
from .models import ROLES, User


def fail(exc: ServiceError) -> None:
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
        fail(exc)
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
        fail(exc)
    db.session.commit()
    click.echo(f"Kata sandi '{username}' diganti.")


@user_group.command("disable")
@click.argument("username")
def user_disable(username):
    """Nonaktifkan pengguna dan cabut tokennya."""
    try:
        users.set_active(users.get_by_username(username), False)
    except ServiceError as exc:
        fail(exc)
    db.session.commit()
    click.echo(f"Pengguna '{username}' dinonaktifkan.")


audit_group = AppGroup("audit", help="Jejak audit.")


@audit_group.command("verify")
def audit_verify():
    """Periksa rantai hash jejak audit; keluar dengan kode 1 bila ada yang diubah atau dihapus."""
    result = audit.verify()
    db.session.rollback()
    if not result.ok:
        click.echo(f"RUSAK: {result.problem.message}", err=True)
        sys.exit(1)
    note = f" ({result.unchained} peristiwa lama sebelum rantai dimulai)" if result.unchained else ""
    click.echo(f"OK: {result.count} peristiwa, rantai utuh{note}")


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas arsip (bawaan: instance/backups/backup-<waktu UTC>.tar.gz).")
@with_appcontext
def backup_command(output):
    """Cadangkan basis data dan semua berkas unggahan ke satu arsip tar.gz (mode 600)."""
    try:
        path, manifest = backup.create(output)
    except ServiceError as exc:
        fail(exc)
    uploads = sum(name.startswith(backup.UPLOADS + "/") for name in manifest["members"])
    click.echo(f"Cadangan ditulis ke {path}: basis data {manifest['database']} (revisi "
               f"{manifest['alembic_revision']}), {uploads} berkas unggahan, {path.stat().st_size} bita.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Jangan minta konfirmasi.")
@with_appcontext
def restore_command(archive, yes):
    """Pulihkan basis data dan berkas unggahan dari ARCHIVE, lalu mutakhirkan skemanya.
    Hentikan aplikasi dan worker dahulu: isi yang sekarang ditimpa."""
    try:
        with backup.staged(archive) as staged:
            backup.check_compatible(staged)
            manifest = staged.manifest
            click.echo(f"Arsip utuh: dibuat {manifest['created_at']}, basis data {manifest['database']} "
                       f"(revisi {manifest['alembic_revision']}), {len(staged.uploads)} berkas unggahan.")
            if not yes:
                click.confirm("Basis data dan berkas unggahan sekarang akan ditimpa. Lanjutkan?", abort=True)
            revision = backup.restore(staged)
    except ServiceError as exc:
        fail(exc)
    click.echo(f"Dipulihkan dari {archive}; skema pada revisi {revision}.")


def register(app: Flask) -> None:
    for command in (user_group, audit_group, backup_command, restore_command):
        app.cli.add_command(command)
