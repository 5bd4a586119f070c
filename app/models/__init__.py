"""Typed SQLAlchemy models. Views commit; models do not."""
from .audit import AuditEvent, AuditHead
from .calendar import ClosedDay, SpecialPeriod
from .complaints import Complaint
from .catalog import DataTemplate, Dataset, Opd, OperatorLetter, StoredFile
from .notifications import LaneSetting, Notification, TaskNotice
from .process_admin import ProcessDraft, ProcessMeta
from .publication import Publication
from .types import utcnow
from .users import ROLES, ApiToken, LoginAttempt, User, UserRole
from .workflow import HumanTask, Instance, ProcessVersion

__all__ = [
    "ROLES", "ApiToken", "Complaint", "AuditEvent", "AuditHead", "ClosedDay", "LaneSetting", "Notification",
    "ProcessDraft", "ProcessMeta", "SpecialPeriod", "TaskNotice", "DataTemplate", "Dataset",
    "OperatorLetter", "HumanTask", "Instance", "LoginAttempt", "Opd",
    "ProcessVersion", "Publication", "StoredFile", "User", "UserRole", "utcnow",
]
