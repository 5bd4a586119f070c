"""The platform's records: people and their roles, the OPDs they belong to, stored files, the audit
chain, the work calendar, the outbox of messages to other systems."""
from .audit import AuditEvent, AuditHead
from .calendar import ClosedDay, SpecialPeriod
from .files import StoredFile
from .opds import Opd
from .outbox import OutboxMessage
from .types import UTCDateTime, utcnow
from .users import ROLES, ApiToken, LoginAttempt, User, UserRole

__all__ = ["ROLES", "ApiToken", "AuditEvent", "AuditHead", "ClosedDay", "LoginAttempt", "Opd", "OutboxMessage",
           "SpecialPeriod", "StoredFile", "UTCDateTime", "User", "UserRole", "utcnow"]
