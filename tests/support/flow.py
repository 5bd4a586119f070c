"""The SOP driven through the services with a fixed clock, one committed action at a time, and
the notices it leaves (the notification and workload tests)."""
from __future__ import annotations

from sqlalchemy import select

from app.core.models import User
from app.extensions import db
from app.workflow import instances, tasks
from app.workflow.models import HumanTask, Notification

from .sop import PROCESS


class Flow:
    """The SOP driven through the services with a fixed clock, one committed action at a time."""

    def __init__(self, app):
        self.app = app

    def _user(self, username):
        return db.session.scalar(select(User).where(User.username == username))

    def start(self, username, title, at):
        with self.app.app_context():
            instance = instances.start(PROCESS, title, self._user(username), now=at)
            db.session.commit()
            return instance.id

    def task(self, instance_id, bpmn_id):
        with self.app.app_context():
            return db.session.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id,
                HumanTask.completed_at.is_(None)))

    def complete(self, username, instance_id, bpmn_id, data, at):
        task_id = self.task(instance_id, bpmn_id)
        assert task_id, (instance_id, bpmn_id)
        with self.app.app_context():
            tasks.complete(task_id, data, self._user(username), now=at)
            db.session.commit()
        return task_id

    def release(self, username, task_id):
        with self.app.app_context():
            tasks.release(task_id, self._user(username))
            db.session.commit()

    def claim(self, username, task_id):
        with self.app.app_context():
            tasks.claim(task_id, self._user(username))
            db.session.commit()

    def notices(self, **where):
        """(username, kind, task's step, message) of every notification, in order of creation."""
        with self.app.app_context():
            query = (select(User.username, Notification.kind, HumanTask.bpmn_id, Notification.message)
                     .join(User, Notification.user_id == User.id)
                     .join(HumanTask, Notification.task_id == HumanTask.id)
                     .order_by(Notification.id))
            for name, value in where.items():
                query = query.where(getattr(Notification, name) == value)
            return [tuple(row) for row in db.session.execute(query)]
