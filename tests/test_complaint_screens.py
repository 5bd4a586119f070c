"""Complaints through the screens: the public form and its refusals, the ticket's status page,
the staff's registration and list, and the complaint on the task page."""
from __future__ import annotations

import re
from html import unescape

import pytest
from support.people import html, sign_in
from support.sop import Team

MESSAGE = "Angka penduduk Kecamatan Plaosan tertukar dengan Kecamatan Maospati."
CONTACT = "warga.rahasia@example.org"
NAME = "Sri Rahayu Pengadu"
TICKET = re.compile(r"ADU-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def team(make_user):
    return Team(make_user)


@pytest.fixture
def publication(team, anonymous):
    team.publish("Penduduk Magetan 2025", "Jumlah penduduk per kecamatan.")
    return anonymous.get("/publications").get_json()["items"][0]


@pytest.fixture
def quick(app_factory):
    """The app as the public meets it, without the wait the form token demands."""
    return app_factory(COMPLAINT_MIN_SECONDS=0)


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "no form token on the page"
    return found[1]


def file_complaint(client, publication_id, message=MESSAGE, address="203.0.113.7", **fields):
    """Open the form, then send it as a person would; answers the response of the post."""
    path = f"/pengaduan/baru?publikasi={publication_id}"
    page = html(client.get(path, environ_base={"REMOTE_ADDR": address}))
    data = {"nama": NAME, "kontak": CONTACT, "pesan": message, "form_token": form_token(page), "website": "",
            **fields}
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


def ticket_of(response) -> str:
    assert response.status_code == 302, html(response)
    found = TICKET.search(response.headers["Location"])
    assert found, response.headers["Location"]
    return found[0]


def task_of(api, ticket, step):
    tasks = api.get("/tasks?scope=mine&per_page=100").get_json()["items"]
    found = [t for t in tasks if t["instance_title"].startswith(ticket) and t["bpmn_id"] == step]
    assert len(found) == 1, (step, tasks)
    return found[0]


def complete(api, ticket, step, data):
    response = api.post(f"/tasks/{task_of(api, ticket, step)['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def text_of(page: str) -> str:
    """The page's text without tags, for what a reader sees."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


# The public form ---------------------------------------------------------------------------------

def test_portal_pages_link_to_the_form(client, publication):
    page = html(client.get(f"/publikasi/{publication['id']}"))
    assert f'href="/pengaduan/baru?publikasi={publication["id"]}"' in page and "Laporkan masalah data" in page
    dataset_id = publication["dataset"]["id"]
    page = html(client.get(f"/data/{dataset_id}"))
    assert f'href="/pengaduan/baru?data={dataset_id}"' in page and "Laporkan masalah data" in page


def test_anonymous_files_a_complaint_and_follows_it(quick, publication):
    client = quick.test_client()
    form = client.get(f"/pengaduan/baru?publikasi={publication['id']}")
    page = html(form)
    assert form.status_code == 200
    assert "Penduduk Magetan 2025" in page and f'href="/publikasi/{publication["id"]}"' in page
    assert 'name="csrf_token"' in page and 'name="form_token"' in page
    # The field for robots: out of sight, out of the tab order, never filled in by the browser.
    honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">\s*<label for="website">Jangan diisi</label>'
                         r'\s*<input ([^>]*)>', page)
    assert honeypot and 'name="website"' in honeypot[1] and 'tabindex="-1"' in honeypot[1]
    assert 'autocomplete="off"' in honeypot[1]

    sent = file_complaint(client, publication["id"])
    ticket = ticket_of(sent)
    assert sent.headers["Location"] == f"/pengaduan/{ticket}"  # post, then redirect
    status = client.get(sent.headers["Location"])
    page = html(status)
    assert status.status_code == 200
    assert "Simpan nomor tiket ini" in page
    assert re.search(rf'<strong class="[^"]*" data-ticket>{ticket}</strong>', page)  # prominent, as markup
    assert MESSAGE in page and "Penduduk Magetan 2025" in page
    assert 'data-stage="diterima" data-done="true"' in page
    assert 'data-stage="diverifikasi" data-done="false"' in page
    assert 'data-stage="dikoreksi"' not in page  # only when it happens
    assert CONTACT not in page and NAME not in page
    assert '<meta name="robots" content="noindex">' in page
    # The same complaint sent again (a double click) is the same ticket.
    assert ticket_of(file_complaint(client, publication["id"])) == ticket


def test_a_dataset_can_be_reported_too(quick, publication):
    client = quick.test_client()
    dataset_id = publication["dataset"]["id"]
    path = f"/pengaduan/baru?data={dataset_id}"
    page = html(client.get(path))
    assert publication["dataset"]["title"] in page and f'href="/data/{dataset_id}"' in page
    sent = client.post(path, data={"nama": NAME, "kontak": "0812 3456 7890", "pesan": "Berkas unduhan CSV kosong.",
                                   "form_token": form_token(page), "website": ""})
    status = html(client.get(f"/pengaduan/{ticket_of(sent)}"))
    assert f'href="/data/{dataset_id}" data-subject' in status and "0812 3456 7890" not in status


def test_unknown_subjects_are_not_found(quick, publication, team):
    client = quick.test_client()
    for path in ("/pengaduan/baru?publikasi=999999", "/pengaduan/baru?data=999999", "/pengaduan/baru?publikasi=abc",
                 "/pengaduan/baru"):
        assert client.get(path).status_code == 404, path
    draft = team.admin.upload("/datasets", b"a,b\n1,2\n", "draf.csv", title="Draf", opd="dispendukcapil",
                              period="2025").get_json()
    assert client.get(f"/pengaduan/baru?data={draft['id']}").status_code == 404  # not checked: not public
    assert client.post("/pengaduan/baru?publikasi=999999", data={"nama": "x"}).status_code == 404


def test_a_form_sent_too_fast_is_refused_with_the_text_kept(app, publication):
    """The default wait (COMPLAINT_MIN_SECONDS=3): a form sent at once is taken for a robot."""
    assert app.config["COMPLAINT_MIN_SECONDS"] == 3
    client = app.test_client()
    sent = file_complaint(client, publication["id"], message="Judul <b>tebal</b> & grafik salah.")
    page = html(sent)
    assert sent.status_code == 400
    assert "terlalu cepat" in page
    assert 'value="Sri Rahayu Pengadu"' in page and f'value="{CONTACT}"' in page
    assert "Judul &lt;b&gt;tebal&lt;/b&gt; &amp; grafik salah.</textarea>" in page
    assert 'name="form_token" value="' in page  # a new token to send again with


def test_a_bad_token_is_refused(quick, publication):
    client = quick.test_client()
    sent = file_complaint(client, publication["id"], form_token="palsu")
    assert sent.status_code == 400 and "Formulir tidak sah" in html(sent)
    assert form_token(html(sent)) != "palsu"


def test_the_honeypot_refuses(quick, publication):
    client = quick.test_client()
    sent = file_complaint(client, publication["id"], website="https://spam.example/")
    assert sent.status_code == 400 and "tidak dapat diterima" in html(sent)
    assert MESSAGE in html(sent)
    assert not TICKET.search(html(sent))


def test_bad_input_is_shown_beside_the_fields(quick, publication):
    client = quick.test_client()
    sent = file_complaint(client, publication["id"], nama="  ", pesan="rusak", kontak="0812")
    page = html(sent)
    assert sent.status_code == 422
    assert re.search(r'id="nama-error">wajib diisi<', page)
    assert re.search(r'id="pesan-error">paling sedikit 10 karakter<', page)
    assert 'aria-invalid="true"' in page and "nama-error" in page
    assert 'value="0812"' in page and ">rusak</textarea>" in page
    assert "kontak-error" not in page
    # Fixed at once, it goes through: the form's token was kept.
    again = client.post(f"/pengaduan/baru?publikasi={publication['id']}", data={
        "nama": NAME, "kontak": "0812", "pesan": MESSAGE, "form_token": form_token(page), "website": ""},
        environ_base={"REMOTE_ADDR": "203.0.113.7"})
    ticket_of(again)


def test_the_sixth_complaint_in_an_hour_from_one_address_waits(quick, publication):
    client = quick.test_client()
    for n in range(5):
        ticket_of(file_complaint(client, publication["id"], message=f"{MESSAGE} Laporan ke-{n + 1}.",
                                 address="198.51.100.9"))
    refused = file_complaint(client, publication["id"], message="Laporan keenam dari alamat yang sama.",
                             address="198.51.100.9")
    page = html(refused)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Terlalu banyak pengaduan" in page and "Laporan keenam dari alamat yang sama.</textarea>" in page
    # Another sender is not held up.
    ticket_of(file_complaint(client, publication["id"], address="198.51.100.10"))


# The status page and the look-up -----------------------------------------------------------------

def test_the_status_page_follows_the_handling(quick, publication, make_user):
    client = quick.test_client()
    ticket = ticket_of(file_complaint(client, publication["id"]))
    petugas = make_user("petugas1", "petugas_pengaduan")

    complete(petugas, ticket, "verifikasi", {"kategori": "data_salah", "keputusan": "jawab",
                                              "catatan_verifikasi": "Catatan internal: cek ke Dispendukcapil."})
    page = html(client.get(f"/pengaduan/{ticket}"))
    assert 'data-stage="diverifikasi" data-done="true"' in page and 'data-status="diverifikasi"' in page
    assert "Catatan internal" not in page and "bagian-jawaban" not in page

    answer = "Terima kasih. Angka sudah kami periksa & sesuai <sumber> resmi."
    complete(petugas, ticket, "jawab", {"jawaban": answer})
    page = html(client.get(f"/pengaduan/{ticket.lower()}"))  # the ticket in any case
    assert "bagian-jawaban" in page
    assert "Terima kasih. Angka sudah kami periksa &amp; sesuai &lt;sumber&gt; resmi." in page
    assert 'data-stage="dijawab" data-done="true"' in page and 'data-stage="selesai" data-done="false"' in page
    assert "sedang ditangani" in page

    complete(petugas, ticket, "tutup", {"hasil": "selesai", "catatan_penutupan": "Arsip internal."})
    page = html(client.get(f"/pengaduan/{ticket}"))
    assert 'data-stage="selesai" data-done="true"' in page and "sudah ditutup" in page
    assert "Arsip internal" not in page and "Catatan internal" not in page
    assert CONTACT not in page and NAME not in page
    assert client.get("/pengaduan/ADU-ZZZZ-ZZZZ").status_code == 404


def test_a_corrected_publication_is_linked(quick, publication, make_user, team, anonymous):
    client = quick.test_client()
    ticket = ticket_of(file_complaint(client, publication["id"]))
    petugas = make_user("petugas1", "petugas_pengaduan")
    complete(petugas, ticket, "verifikasi", {"kategori": "data_salah", "keputusan": "koreksi",
                                              "catatan_verifikasi": "Benar tertukar."})
    complete(team.redaktur, ticket, "koreksi", {"catatan_koreksi": "Angka Plaosan dan Maospati diperbaiki."})
    page = html(client.get(f"/pengaduan/{ticket}"))
    assert 'data-stage="dikoreksi" data-done="true"' in page and "publikasi-terkoreksi" not in page

    # The redaktur runs the revision as an ordinary publication.
    revision = [t for t in team.redaktur.get("/tasks?scope=mine&per_page=100").get_json()["items"]
                if t["instance_title"].startswith("Koreksi:")][0]
    from support.sop import complete as step
    from support.sop import upload_design
    instance_id = revision["instance_id"]
    step(team.redaktur, instance_id, "tentukan_data", {"dataset_id": publication["dataset"]["id"]})
    step(team.desain, instance_id, "ambil_data", {"data_terpilih": "semua"})
    step(team.desain, instance_id, "desain", {"desain": upload_design(team.desain, color=(10, 120, 40))})
    step(team.desain, instance_id, "caption", {"caption": "Jumlah penduduk per kecamatan, terkoreksi."})
    step(team.redaktur, instance_id, "periksa", {"keputusan": "disetujui"})
    step(team.desain, instance_id, "publikasi", {"kanal": ["website"]})
    corrected = anonymous.get("/publications").get_json()["items"][0]
    assert corrected["id"] != publication["id"]

    page = html(client.get(f"/pengaduan/{ticket}"))
    assert f'<a href="/publikasi/{corrected["id"]}">Lihat publikasi terkoreksi</a>' in page


def test_looking_up_a_ticket(quick, publication):
    client = quick.test_client()
    ticket = ticket_of(file_complaint(client, publication["id"]))
    page = client.get("/pengaduan")
    assert page.status_code == 200 and 'name="tiket"' in html(page)
    found = client.get(f"/pengaduan?tiket=%20{ticket.lower()}%20")
    assert found.status_code == 302 and found.headers["Location"] == f"/pengaduan/{ticket}"
    unknown = client.get("/pengaduan?tiket=ADU-ABCD-2345")
    assert unknown.status_code == 404
    assert "tidak ditemukan" in html(unknown) and 'value="ADU-ABCD-2345"' in html(unknown)
    assert 'id="tiket-error"' in html(unknown)
    empty = client.get("/pengaduan?tiket=")
    assert empty.status_code == 422 and "Tulis nomor tiket" in html(empty)


# Staff -------------------------------------------------------------------------------------------

def test_staff_register_a_complaint_from_the_desk(app, publication, make_user):
    make_user("petugas1", "petugas_pengaduan")
    petugas = sign_in(app, "petugas1")
    form = html(petugas.get("/pengaduan/catat"))
    assert f'<option value="p{publication["id"]}"' in form
    assert f'<option value="d{publication["dataset"]["id"]}"' in form

    refused = petugas.post("/pengaduan/catat", data={"subjek": "", "nama": "Pak Darmo", "kontak": "0351 123",
                                                     "pesan": "Lewat telepon: grafik salah."})
    assert refused.status_code == 422
    assert re.search(r'id="subjek-error">pilih publikasi atau data yang diadukan<', html(refused))
    assert 'value="Pak Darmo"' in html(refused) and "Lewat telepon: grafik salah.</textarea>" in html(refused)

    done = petugas.post("/pengaduan/catat", data={"subjek": f"p{publication['id']}", "nama": "Pak Darmo",
                                                  "kontak": "0351 123", "pesan": "Lewat telepon: grafik salah."})
    assert done.status_code == 302 and re.fullmatch(r"/proses/\d+", done.headers["Location"])
    page = html(petugas.get(done.headers["Location"]))
    ticket = TICKET.search(page)[0]
    assert f"Pengaduan dicatat dengan nomor tiket {ticket}" in page
    # The reporter follows it like any other.
    status = html(app.test_client().get(f"/pengaduan/{ticket}"))
    assert "Lewat telepon: grafik salah." in status and "Pak Darmo" not in status


def test_registration_is_for_complaint_staff_only(app, client, publication):
    designer = sign_in(app, "desain1")
    assert designer.get("/pengaduan/catat").status_code == 403
    refused = designer.post("/pengaduan/catat", data={"subjek": f"p{publication['id']}", "nama": "X",
                                                      "kontak": "0812", "pesan": "Percobaan tanpa hak."})
    assert refused.status_code == 403
    assert designer.get("/pengaduan/daftar").status_code == 403
    anonymous = client.get("/pengaduan/catat")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]


def test_the_list_filters_and_pages(app_factory, publication, make_user):
    app = app_factory(COMPLAINT_MIN_SECONDS=0, PER_PAGE=2)
    public = app.test_client()
    tickets = [ticket_of(file_complaint(public, publication["id"], message=f"{MESSAGE} Nomor {n}.",
                                        address=f"192.0.2.{n}")) for n in range(3)]
    petugas_api = make_user("petugas1", "petugas_pengaduan")
    make_user("pengawas1", "pengawas")
    complete(petugas_api, tickets[0], "verifikasi", {"kategori": "lainnya", "keputusan": "jawab",
                                                       "catatan_verifikasi": "Diperiksa."})
    petugas = sign_in(app, "petugas1")

    first = html(petugas.get("/pengaduan/daftar"))
    rows = re.findall(r'data-complaint="([^"]+)"', first)
    assert rows == [tickets[2], tickets[1]]  # newest first, two a page
    assert 'href="/pengaduan/daftar?page=2"' in first and "Catat pengaduan" in first
    second = html(petugas.get("/pengaduan/daftar?page=2"))
    assert re.findall(r'data-complaint="([^"]+)"', second) == [tickets[0]]
    assert re.search(rf'<a class="font-monospace" href="/proses/\d+">{tickets[0]}</a>', second)
    assert 'data-status="diverifikasi"' in second

    verified = html(petugas.get("/pengaduan/daftar?status=diverifikasi"))
    assert re.findall(r'data-complaint="([^"]+)"', verified) == [tickets[0]]
    waiting = html(petugas.get("/pengaduan/daftar?status=diterima"))
    assert re.findall(r'data-complaint="([^"]+)"', waiting) == [tickets[2], tickets[1]]
    assert 'rel="next"' not in waiting  # one page: no pager
    none = petugas.get("/pengaduan/daftar?status=selesai")
    assert none.status_code == 200 and "Tidak ada pengaduan yang cocok" in html(none)
    found = html(petugas.get(f"/pengaduan/daftar?q={tickets[1].lower()}"))
    assert re.findall(r'data-complaint="([^"]+)"', found) == [tickets[1]]

    overseer = sign_in(app, "pengawas1")
    page = overseer.get("/pengaduan/daftar")
    assert page.status_code == 200 and "Catat pengaduan" not in html(page)
    assert sign_in(app, "redaktur1").get("/pengaduan/daftar").status_code == 200


# The task page -------------------------------------------------------------------------------------

def test_the_task_page_shows_the_complaint(quick, publication, make_user, team):
    ticket = ticket_of(file_complaint(quick.test_client(), publication["id"]))
    petugas_api = make_user("petugas1", "petugas_pengaduan")
    petugas = sign_in(quick, "petugas1")
    verify = task_of(petugas_api, ticket, "verifikasi")
    page = html(petugas.get(f"/tugas/{verify['id']}"))
    card = page.split('id="kartu-pengaduan"')[1].split("</section>")[0]
    assert ticket in card and NAME in card and CONTACT in card and MESSAGE in card
    assert f'href="/pengaduan/{ticket}"' in card and f'href="/publikasi/{publication["id"]}"' in card
    assert "memulai revisi publikasi" not in card

    complete(petugas_api, ticket, "verifikasi", {"kategori": "data_salah", "keputusan": "koreksi",
                                                  "catatan_verifikasi": "Benar."})
    fix = task_of(team.redaktur, ticket, "koreksi")
    page = text_of(html(sign_in(quick, "redaktur1").get(f"/tugas/{fix['id']}")))
    assert ("Menyelesaikan langkah ini memulai revisi publikasi; Redaktur menjalankannya seperti publikasi biasa."
            in page)

    complete(team.redaktur, ticket, "koreksi", {"catatan_koreksi": "Diperbaiki."})
    answer = task_of(petugas_api, ticket, "jawab")
    page = text_of(html(petugas.get(f"/tugas/{answer['id']}")))
    assert "Jawaban tampil untuk umum di halaman status pengaduan" in page

    # A task of an ordinary publication has no complaint card.
    from support.sop import start
    instance = start(team.redaktur, "Publikasi biasa")
    ordinary = [t for t in team.redaktur.get("/tasks?scope=mine").get_json()["items"]
                if t["instance_id"] == instance["id"]][0]
    assert 'id="kartu-pengaduan"' not in html(sign_in(quick, "redaktur1").get(f"/tugas/{ordinary['id']}"))
