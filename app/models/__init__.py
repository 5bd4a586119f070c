"""Typed SQLAlchemy models. Views commit; models do not."""
from .audit import AuditEvent
from .catalog import Dataset, Opd, StoredFile
from .publication import Publication
from .types import utcnow
from .users import ROLES, ApiToken, LoginAttempt, User, UserRole
from .workflow import HumanTask, Instance, ProcessVersion

__all__ = [
    "ROLES", "ApiToken", "AuditEvent", "Dataset", "HumanTask", "Instance", "LoginAttempt", "Opd",
    "ProcessVersion", "Publication", "StoredFile", "User", "UserRole", "utcnow",
]
