"""Versions of a process and the work running on them: the list, a download, an upload, the
difference between two versions, moving running instances to a newer version (a dry run
first), and rollback. Admins only.

- :mod:`.history`: the list, one version, upload and rollback;
- :mod:`.diff`: what differs between two versions, by BPMN element id;
- :mod:`.migration`: the dry run and the move of running instances.
"""
from .diff import diff_versions
from .history import (
    forms_for_upload,
    get_version,
    processes_overview,
    require_admin,
    rollback,
    upload,
    version_numbers,
    version_page,
)
from .migration import apply, dry_run

__all__ = [
    "apply", "diff_versions", "dry_run", "forms_for_upload", "get_version", "processes_overview", "require_admin",
    "rollback", "upload", "version_numbers", "version_page",
]
