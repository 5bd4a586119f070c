"""The hand-computed fixture behind the dashboard and the monthly report: publications and
complaints made through the services with fixed clocks (build_fixture, build_complaints).

Every time below is WIB and falls in October or November 2026, months without national
holidays or cuti bersama. Service windows: Mon–Thu 08–12 and 13–15 (6 h), Fri 08–11.30 and
13.30–14 (4 h). A step's standard is 1 hari kerja = 6 h; the service's is 7 hari kerja = 42 h.
"Now" is Thursday 26 November 2026 10:00.

Instances, with every task's service hours (ready → completed) worked out by hand:

A  (dispendukcapil) Mon 2 Nov 08:00 → completed Tue 3 Nov 10:30, no revision
   tentukan_data 08:00→09:00 1 · ambil_data 09:00→10:00 1 · desain 10:00→11:00 1 ·
   caption 11:00→12:00 1 · periksa Mon 12:00→Tue 08:30 = 2 (13–15) + 0.5 = 2.5 ·
   publikasi Tue 08:30→10:30 2. Service: Mon 6 + Tue 2.5 = 8.5 h ≤ 42: on time.
B  (dispendukcapil) Wed 4 Nov 08:00 → completed Mon 9 Nov 09:00, one revision
   tentukan_data 08:00→08:30 0.5 · ambil_data 08:30→09:00 0.5 · desain 09:00→10:00 1 ·
   caption 10:00→11:00 1 · periksa 11:00→11:30 0.5 (revisi) ·
   desain Wed 11:30→Thu 12:00 = 0.5 + 2 + 4 = 6.5 (due Thu 11:30: late by 0.5) ·
   caption Thu 12:00→14:00 1 · periksa 14:00→15:00 1 ·
   publikasi Thu 15:00→Mon 09:00 = Fri 4 + Mon 1 = 5. Service: 6 + 6 + 4 + 1 = 17 h: on time.
C  (dinkes) Mon 9 Nov 08:00 → completed Wed 18 Nov 14:00, late
   tentukan_data Mon 9 08:00→Wed 18 08:00 = 6+6+6+6+4+6+6 = 40 (late by 34) ·
   ambil_data 08→09 1 · desain 09→10 1 · caption 10→11 1 · periksa 11→12 1 ·
   publikasi 12:00→14:00 = 1 (13–14). Service 45 h; due Wed 18 10:00: late by 2 + 1 = 3 h.
D  (dispendukcapil) October: Mon 26 Oct 08:00 → completed 15:00, each step 1 h
   (periksa 12:00→14:00 is 1 h of service).
E  running, started Mon 23 Nov 08:00; tentukan_data 08:00→09:00 1; ambil_data open since
   Mon 09:00: waited 5 + 6 + 6 + 2 = 19 h, due Tue 24 09:00: overdue.
F  running, started Thu 26 Nov 08:00; tentukan_data 08:00→08:30 0.5; ambil_data
   08:30→09:00 0.5; desain open since 09:00: waited 1 h, on time.
G  running, started Mon 16 Nov 08:00; tentukan_data open: waited 6+6+6+6+4+6+6+6+2 = 48 h:
   the task and the instance (due after 42 h) are overdue.
H  running, started Wed 25 Nov 08:00; tentukan_data open: waited 6 + 2 = 8 h: overdue.
"""
from __future__ import annotations

from datetime import datetime

from app.core.models import User
from app.core.workcal import WIB
from app.extensions import db
from app.workflow import instances, tasks
from app.workflow.models import HumanTask

from .catalog import upload_dataset
from .sop import PROCESS, upload_design

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=WIB)


def wib(day, hour, minute=0, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


REVISION_NOTE = "Perbesar judul dan cantumkan sumber data."
PLAN = {
    "A": ("Infografis Penduduk November", "pop", wib(2, 8), [
        ("tentukan_data", wib(2, 9)), ("ambil_data", wib(2, 10)), ("desain", wib(2, 11)),
        ("caption", wib(2, 12)), ("periksa", wib(3, 8, 30)), ("publikasi", wib(3, 10, 30))]),
    "B": ("Piramida Penduduk Magetan", "pop", wib(4, 8), [
        ("tentukan_data", wib(4, 8, 30)), ("ambil_data", wib(4, 9)), ("desain", wib(4, 10)),
        ("caption", wib(4, 11)), ("periksa", wib(4, 11, 30), {"keputusan": "revisi", "catatan_revisi": REVISION_NOTE}),
        ("desain", wib(5, 12)), ("caption", wib(5, 14)), ("periksa", wib(5, 15)), ("publikasi", wib(9, 9))]),
    "C": ("Imunisasi Dasar Lengkap", "health", wib(9, 8), [
        ("tentukan_data", wib(18, 8)), ("ambil_data", wib(18, 9)), ("desain", wib(18, 10)),
        ("caption", wib(18, 11)), ("periksa", wib(18, 12)), ("publikasi", wib(18, 14))]),
    "D": ("Penduduk Oktober", "pop", wib(26, 8, month=10), [
        ("tentukan_data", wib(26, 9, month=10)), ("ambil_data", wib(26, 10, month=10)),
        ("desain", wib(26, 11, month=10)), ("caption", wib(26, 12, month=10)),
        ("periksa", wib(26, 14, month=10)), ("publikasi", wib(26, 15, month=10))]),
    "E": ("Angka Kelahiran", "pop", wib(23, 8), [("tentukan_data", wib(23, 9))]),
    "F": ("Jumlah Puskesmas", "health", wib(26, 8), [("tentukan_data", wib(26, 8, 30)), ("ambil_data", wib(26, 9))]),
    "G": ("Kunjungan Wisata", "pop", wib(16, 8), []),
    "H": ("Luas Panen Padi", "pop", wib(25, 8), []),
}


def run_steps(instance_id, steps, defaults, *, redaktur, other) -> None:
    """Complete the instance's steps in order, each (bpmn_id, moment[, data]) with its own data
    or the step's default; the redaktur's lane by `redaktur`, any other by `other`."""
    for bpmn_id, at, *given in steps:
        task = db.session.query(HumanTask).filter_by(instance_id=instance_id, bpmn_id=bpmn_id,
                                                     completed_at=None).one()
        user = redaktur if task.role == "redaktur" else other
        tasks.complete(task.id, given[0] if given else defaults[bpmn_id], user, now=at)


def build_fixture(app, make_user) -> dict[str, int]:
    """The instances of the module docstring, made through the services with fixed clocks;
    returns their ids by letter. Users: admin1, redaktur1, desain1, pengawas1."""
    admin = make_user("admin1", "admin")
    make_user("redaktur1", "redaktur")
    desain_api = make_user("desain1", "desain")
    make_user("pengawas1", "pengawas")
    datasets = {"pop": upload_dataset(admin)["id"],
                "health": upload_dataset(admin, title="Cakupan Imunisasi", opd="dinkes")["id"]}
    design = upload_design(desain_api)
    ids = {}
    with app.app_context():
        people = {name: db.session.query(User).filter_by(username=name).one() for name in ("redaktur1", "desain1")}
        for letter, (title, dataset, started, steps) in PLAN.items():
            defaults = {"tentukan_data": {"dataset_id": datasets[dataset]},
                        "ambil_data": {"data_terpilih": "Jumlah per kecamatan"}, "desain": {"desain": design},
                        "caption": {"caption": f"{title}. Sumber: OPD."}, "periksa": {"keputusan": "disetujui"},
                        "publikasi": {"kanal": ["website"]}}
            instance = instances.start(PROCESS, title, people["redaktur1"], now=started)
            run_steps(instance.id, steps, defaults, redaktur=people["redaktur1"], other=people["desain1"])
            db.session.commit()
            ids[letter] = instance.id
    return ids


# Complaints ------------------------------------------------------------------------------
# The complaint process's standard is 5 hari kerja = 30 h from receipt; each complaint below
# is about a dataset, so a correction starts no new publication run. Times to answer (receipt
# → jawab done) in service hours, worked out by hand:
#
# S  received Thu 29 Oct 08:00 (due Thu 5 Nov 10:00); answered Mon 2 Nov 10:00 = Thu 6 + Fri 4
#    + Mon 2 = 12 h = 2 hari kerja: on time; closed Mon 2 Nov 11:00.
# P  received Mon 2 Nov 08:00 (due Mon 9 Nov 10:00); answered Tue 3 Nov 08:00 = 6 h = 1 hari
#    kerja: on time; closed Tue 3 Nov 09:00.
# Q  received Wed 4 Nov 08:00 (due Wed 11 Nov 10:00); corrected Thu 12 Nov 10:00; answered Thu
#    12 Nov 14:00 = Wed 6 + Thu 6 + Fri 4 + Mon 6 + Tue 6 + Wed 6 + Thu 5 = 39 h = 6.5 hari
#    kerja: late; still open (tutup waiting).
# R  received Mon 23 Nov 08:00 (due Mon 30 Nov 10:00); verifikasi still open.
#
# November (now Thu 26 Nov 10:00): received 3 (P Q R), answered 3 (S P Q), 2 on time,
# corrected 1, closed 2 (S P), open 2 (Q R), 1 of them overdue (Q); times [6, 12, 39] h:
# median 12 h = 2 hari kerja, 90th percentile (rank 3) 39 h = 6.5 hari kerja.
ANSWER, CORRECT = {"kategori": "lainnya", "keputusan": "jawab", "catatan_verifikasi": "Sudah benar."}, \
    {"kategori": "data_salah", "keputusan": "koreksi", "catatan_verifikasi": "Angka Plaosan keliru."}
COMPLAINTS = {
    "S": ("Data Plaosan tidak tampil di tabel.", wib(29, 8, month=10), [
        ("verifikasi", wib(29, 9, month=10), ANSWER), ("jawab", wib(2, 10)), ("tutup", wib(2, 11))]),
    "P": ("Berkas CSV tidak bisa diunduh.", wib(2, 8), [
        ("verifikasi", wib(2, 10), ANSWER), ("jawab", wib(3, 8)), ("tutup", wib(3, 9))]),
    "Q": ("Jumlah penduduk Plaosan salah ketik.", wib(4, 8), [
        ("verifikasi", wib(4, 9), CORRECT), ("koreksi", wib(12, 10)), ("jawab", wib(12, 14))]),
    "R": ("Mohon ditambah data per desa.", wib(23, 8), []),
}
COMPLAINT_DATASET = "Jumlah Sekolah Dasar"


def build_complaints(app, make_user) -> dict[str, str]:
    """The complaints above, registered and handled through the services with fixed clocks;
    returns their tickets by letter. Users: aduan_admin, petugas1, korektor1."""
    from app.complaints import operations as complaints

    admin = make_user("aduan_admin", "admin")
    make_user("petugas1", "petugas_pengaduan")
    make_user("korektor1", "redaktur")
    dataset = upload_dataset(admin, title=COMPLAINT_DATASET)["id"]
    data = {"jawab": {"jawaban": "Terima kasih, sudah kami tindak lanjuti."}, "koreksi": {"catatan_koreksi":
            "Angka Plaosan dibetulkan."}, "tutup": {"hasil": "selesai"}}
    tickets = {}
    with app.app_context():
        people = {name: db.session.query(User).filter_by(username=name).one() for name in ("petugas1", "korektor1")}
        for letter, (message, received, steps) in COMPLAINTS.items():
            complaint = complaints.register({"nama": f"Warga {letter}", "kontak": "warga@example.org", "pesan": message,
                                             "dataset_id": dataset}, people["petugas1"], now=received)
            run_steps(complaint.instance_id, steps, data, redaktur=people["korektor1"], other=people["petugas1"])
            db.session.commit()
            tickets[letter] = complaint.ticket
    return tickets
