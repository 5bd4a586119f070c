"""The platform's records: people and their roles, stored files, the audit chain, the work calendar."""
from .audit import AuditEvent, AuditHead
from .calendar import ClosedDay, SpecialPeriod
from .files import StoredFile
from .types import UTCDateTime, utcnow
from .users import ROLES, ApiToken, LoginAttempt, User, UserRole

__all__ = ["ROLES", "ApiToken", "AuditEvent", "AuditHead", "ClosedDay", "LoginAttempt", "SpecialPeriod",
           "StoredFile", "UTCDateTime", "User", "UserRole", "utcnow"]
