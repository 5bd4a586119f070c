"""The public portal and the sign-in page."""
from __future__ import annotations

from helpers import complete, start, upload_dataset, upload_design


def publish(make_user, title, caption):
    admin = make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    desain = make_user("desain1", "desain")
    dataset = upload_dataset(admin)
    instance = start(redaktur, title)
    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    complete(desain, instance["id"], "ambil_data", {"data_terpilih": "semua"})
    complete(desain, instance["id"], "desain", {"desain": upload_design(desain)})
    complete(desain, instance["id"], "caption", {"caption": caption})
    complete(redaktur, instance["id"], "periksa", {"keputusan": "disetujui"})
    return complete(desain, instance["id"], "publikasi", {"kanal": ["website"]})


def test_portal_lists_publications_with_escaped_text(client, make_user):
    publish(make_user, "Judul <b>tebal</b>", "<script>alert('x')</script> Data penduduk.")
    html = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    assert "Judul &lt;b&gt;tebal&lt;/b&gt;" in html
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html


def test_empty_portal_says_what_happens_next(client):
    html = client.get("/").get_data(as_text=True)
    assert "Belum ada publikasi" in html


def test_publication_and_dataset_pages(client, anonymous, make_user):
    publish(make_user, "Penduduk 2025", "Caption.")
    item = anonymous.get("/publications").get_json()["items"][0]
    page = client.get(f"/publikasi/{item['id']}")
    assert page.status_code == 200 and "Penduduk 2025" in page.get_data(as_text=True)
    dataset = client.get(f"/data/{item['dataset']['id']}").get_data(as_text=True)
    assert "Maospati" in dataset
    assert client.get("/publikasi/999999").status_code == 404


def test_login_page_and_session(app_factory, make_user):
    make_user("siti", "desain")
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/masuk")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    # Without the CSRF token the form is refused.
    assert client.post("/masuk", data={"username": "siti", "password": "kata-sandi-uji-123"}).status_code == 400
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/masuk", data={"username": "siti", "password": "salah", "csrf_token": token})
    assert wrong.status_code == 401 and "salah" in wrong.get_data(as_text=True)
    assert 'value="siti"' in wrong.get_data(as_text=True)  # what was typed is kept
    ok = client.post("/masuk?next=https://jahat.example/", data={
        "username": "siti", "password": "kata-sandi-uji-123", "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
