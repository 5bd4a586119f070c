"""Command line: flask --app app backup, restore."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.extensions import db

from . import backup
from .errors import ServiceError


def _fail(exc: ServiceError) -> None:
    db.session.rollback()
    raise click.ClickException(exc.message)


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas arsip (bawaan: instance/backups/backup-<waktu UTC>.tar.gz).")
@with_appcontext
def backup_command(output):
    """Cadangkan basis data dan semua berkas unggahan ke satu arsip tar.gz (mode 600)."""
    try:
        path, manifest = backup.create(output)
    except ServiceError as exc:
        _fail(exc)
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
        _fail(exc)
    click.echo(f"Dipulihkan dari {archive}; skema pada revisi {revision}.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
