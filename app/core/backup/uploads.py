"""The uploaded files in a backup: every finished upload under UPLOAD_DIR, and their
replacement by a staged archive's."""
from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from flask import current_app

from app.core.files import IN_PROGRESS_PREFIX, replacing

from .archive import CHUNK, UPLOADS, Staged, digest


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def upload_files() -> dict[str, Path]:
    """Every finished upload under UPLOAD_DIR by its member name; links are not followed."""
    root, found = upload_dir(), {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(IN_PROGRESS_PREFIX) or path.is_symlink() or not path.is_file():
                continue
            found[f"{UPLOADS}/{path.relative_to(root).as_posix()}"] = path
    return found


def replace_uploads(staged: Staged) -> None:
    root = upload_dir()
    wanted = set()
    for name in staged.uploads:
        relative = PurePosixPath(name).relative_to(UPLOADS)
        target = root.joinpath(*relative.parts)
        wanted.add(target)
        expected = staged.manifest["members"][name]["sha256"]
        if target.is_file() and not target.is_symlink() and digest(target) == expected:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with replacing(target, prefix=IN_PROGRESS_PREFIX) as out, open(staged.folder / name, "rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
    for path in upload_files().values():
        if path not in wanted:
            path.unlink()
    for folder, _dirs, _names in sorted(os.walk(root), reverse=True):
        if Path(folder) != root and not os.listdir(folder):
            os.rmdir(folder)
