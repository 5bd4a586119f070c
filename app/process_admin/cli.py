"""Command line of process administration: flask --app app deploy, migrate-instances."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.core.cli import fail
from app.core.errors import ServiceError
from app.extensions import db
from app.workflow import processes

from . import versions


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
        fail(exc)
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
    try:
        target, checks = versions.dry_run(process_id, to_version, None)
    except ServiceError as exc:
        fail(exc)
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


def register(app: Flask) -> None:
    app.cli.add_command(deploy)
    app.cli.add_command(migrate_instances)
