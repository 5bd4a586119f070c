"""Due times of tasks and instances follow the service-hour calendar."""
from __future__ import annotations

from datetime import datetime

from app.core import users
from app.core.workcal import WIB
from app.extensions import db
from app.workflow import instances
from app.workflow.models import HumanTask


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def test_task_and_instance_due_times_in_service_hours(app):
    with app.app_context():
        redaktur = users.create_user("redaktur1", ["redaktur"], "kata-sandi-uji-123")
        # Tuesday 24 November 2026, 10:00 WIB
        instance = instances.start("penyebarluasan_data", "Uji tenggat", redaktur, now=wib(2026, 11, 24, 10))
        db.session.commit()
        [task] = instance.tasks
        # One hari kerja: Wednesday 10:00 WIB.
        assert task.due_at == wib(2026, 11, 25, 10)
        # Seven hari kerja (42 service hours): Thursday 3 December 12:00 WIB.
        assert instance.due_at == wib(2026, 12, 3, 12)


def test_cuti_bersama_pushes_the_due_time(app):
    with app.app_context():
        redaktur = users.create_user("redaktur1", ["redaktur"], "kata-sandi-uji-123")
        # Wednesday 23 December 2026, 10:00; the 24th is cuti bersama, the 25th Christmas.
        instance = instances.start("penyebarluasan_data", "Akhir tahun", redaktur, now=wib(2026, 12, 23, 10))
        db.session.commit()
        task = db.session.get(HumanTask, instance.tasks[0].id)
        assert task.due_at == wib(2026, 12, 28, 10)
