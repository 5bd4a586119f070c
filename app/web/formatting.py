"""Template filters and helpers every screen may use: times and dates in WIB, numbers the Indonesian
way, service time and the actions of the audit trail in words."""
from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import gettext as _

from app.core.i18n import N_
from app.core.workcal import BULAN, format_wib, format_wib_short

SWAP_SEPARATORS = str.maketrans(",.", ".,")

ACTIONS = {
    "instance.start": N_("memulai proses"),
    "task.claim": N_("mengambil tugas"),
    "task.release": N_("melepaskan tugas"),
    "task.draft": N_("menyimpan draf"),
    "task.complete": N_("menyelesaikan langkah"),
    "publication.publish": N_("menerbitkan di portal"),
    "publication.revise": N_("memulai koreksi publikasi"),
    "complaint.submit": N_("mengirim pengaduan"),
    "task.auto_assign": N_("dibagikan otomatis"),
    "lane.auto_assign": N_("mengubah pembagian tugas lajur"),
    "calendar.closed_day.add": N_("menambah hari libur"),
    "calendar.closed_day.remove": N_("menghapus hari libur"),
    "calendar.special_period.add": N_("menambah periode jam layanan khusus"),
    "calendar.special_period.remove": N_("menghapus periode jam layanan khusus"),
    "instance.migrate": N_("memindahkan ke versi proses lain"),
    "process.draft_save": N_("menyimpan draf proses"),
    "process.draft_discard": N_("membuang draf proses"),
    "process.meta.update": N_("mengubah metadata SOP"),
    "user.create": N_("membuat pengguna"),
    "process.rollback": N_("memasang kembali versi proses"),
    "user.set_password": N_("mengganti kata sandi pengguna"),
    "user.enable": N_("mengaktifkan pengguna"),
    "user.disable": N_("menonaktifkan pengguna"),
    "user.change_password": N_("mengganti kata sandi sendiri"),
    "user.reset_password": N_("mengatur ulang kata sandi pengguna"),
    "user.login": N_("masuk"),
    "user.logout": N_("keluar"),
    "user.login_failed": N_("gagal masuk"),
    "token.issue": N_("menerbitkan token API"),
    "dataset.create": N_("menambah data terolah"),
    "dataset.update": N_("mengubah data terolah"),
    "dataset.submit": N_("mengajukan data ke walidata"),
    "dataset.approve": N_("menyetujui data (walidata)"),
    "dataset.return": N_("mengembalikan data ke OPD"),
    "template.create": N_("membuat templat data"),
    "template.update": N_("mengubah templat data"),
    "opd.create": N_("menambah OPD"),
    "opd.update": N_("mengubah data OPD"),
    "operator.letter_add": N_("mencatat surat penunjukan operator"),
    "operator.letter_revoke": N_("mencabut surat penunjukan operator"),
    "file.upload": N_("mengunggah berkas"),
    "process.deploy": N_("memasang versi proses"),
}


def action_words(action: str) -> str:
    """An action of the audit trail in words, or its code when it has none."""
    return _(ACTIONS[action]) if action in ACTIONS else action


def action_label(event) -> str:
    """What an event of the trail (a row of workflow.history_rows) did, in words."""
    words = action_words(event.action)
    step = (event.detail or {}).get("name") or (event.detail or {}).get("step")
    return f"{words}: {step}" if step else words


def service_hours(hours: float) -> str:
    """Service time in words: '1 hari kerja 2,5 jam' style, 6 hours a day."""
    whole_days, rest = divmod(round(hours, 1), 6)
    parts = []
    if whole_days:
        parts.append(_("%(n)s hari kerja", n=int(whole_days)))
    if rest or not parts:
        parts.append(_("%(n)s jam", n=f"{rest:.1f}".rstrip("0").rstrip(".").replace(".", ",")))
    return " ".join(parts)


def long_date(day: date | None) -> str:
    """12 Maret 2026 (the month's name in Indonesian, as the rest of the dates on screen)."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}" if day else ""


def number_id(value: int | float) -> str:
    """A number written the Indonesian way: 1.234.567 and 12,5."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.translate(SWAP_SEPARATORS)


def register(app: Flask) -> None:
    app.add_template_filter(lambda moment: format_wib(moment) if moment else "", "wib")
    app.add_template_filter(lambda moment: format_wib_short(moment) if moment else "", "wib_short")
    app.add_template_filter(service_hours, "service_hours")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(number_id, "number_id")
    app.add_template_global(action_label)
    app.add_template_global(action_words)
