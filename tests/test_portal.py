"""The public portal and the sign-in page."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from support.samples import SAMPLE_CSV
from support.sop import Team


def publish(make_user, title, caption):
    return Team(make_user).publish(title, caption)


def latest_publication(anonymous):
    return anonymous.get("/publications").get_json()["items"][0]


def meta(html, prop):
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def card_titles(html):
    return [unescape(t) for t in re.findall(r'<h2 class="h5 card-title"><a href="[^"]+">([^<]*)</a>', html)]


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


def test_search_matches_title_caption_dataset_and_opd(client, make_user):
    team = Team(make_user)
    kesehatan = team.dataset("Cakupan Imunisasi Dasar", opd="dinkes")
    team.publish("Penduduk Magetan 2025", "Jumlah penduduk per kecamatan.")
    team.publish("Imunisasi anak", "Capaian tahun ini.", dataset=kesehatan)
    wisata = team.dataset("Wisatawan", "disparbud")
    team.publish("Kunjungan wisata", "Telaga Sarangan ramai 100% saat libur.", dataset=wisata)

    def search(q):
        response = client.get("/", query_string={"q": q})
        assert response.status_code == 200
        return card_titles(response.get_data(as_text=True))

    assert search("penduduk magetan") == ["Penduduk Magetan 2025"]  # title, case-insensitive
    assert search("DINAS KESEHATAN") == ["Imunisasi anak"]  # the OPD's name
    assert search("imunisasi dasar") == ["Imunisasi anak"]  # the dataset's title
    assert search("sarangan") == ["Kunjungan wisata"]  # the caption
    assert search("100%") == ["Kunjungan wisata"]  # LIKE wildcards are taken literally
    assert search("_") == []
    assert sorted(search("  ")) == sorted(["Penduduk Magetan 2025", "Imunisasi anak", "Kunjungan wisata"])
    html = client.get("/?q=tidak-ada-apa-apa").get_data(as_text=True)
    assert "Tidak ada publikasi yang cocok" in html and 'value="tidak-ada-apa-apa"' in html
    assert 'href="/"' in html  # a way back to everything


def test_pagination_keeps_the_search(app_factory, client, make_user):
    team = Team(make_user)
    for n in range(3):
        team.publish(f"Penduduk bagian {n}", "Data penduduk.")
    team.publish("Lain", "Tidak terkait.", dataset=team.dataset("Jalan", "dishub"))
    small = app_factory(PER_PAGE=2).test_client()
    first = small.get("/?q=penduduk").get_data(as_text=True)
    assert card_titles(first) == ["Penduduk bagian 2", "Penduduk bagian 1"]
    links = [urlsplit(unescape(h)) for h in re.findall(r'class="page-link" href="([^"]+)"', first)]
    assert {"page": ["2"], "q": ["penduduk"]} in [parse_qs(link.query) for link in links]
    second = small.get("/?page=2&q=penduduk").get_data(as_text=True)
    assert card_titles(second) == ["Penduduk bagian 0"]
    everything = small.get("/?page=2").get_data(as_text=True)
    assert card_titles(everything) == ["Penduduk bagian 1", "Penduduk bagian 0"]
    assert "Halaman ini kosong" in small.get("/?page=9&q=penduduk").get_data(as_text=True)


def test_publication_page_meta_tags_and_escaping(client, anonymous, make_user):
    Team(make_user).publish("Data <b>&</b> \"kutip\"", "Baris satu <script>x()</script>\nBaris dua & tiga.")
    item = latest_publication(anonymous)
    html = client.get(f"/publikasi/{item['id']}").get_data(as_text=True)
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<b>&</b>" not in html
    image = meta(html, "og:image")
    assert image == item["image_url"] and image.startswith("http://localhost/media/")
    assert meta(html, "twitter:image") == image
    assert meta(html, "og:url") == f"http://localhost/publikasi/{item['id']}"
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == 'Data <b>&</b> "kutip"'
    assert meta(html, "og:description") == "Baris satu <script>x()</script> Baris dua & tiga."
    assert meta(html, "twitter:card") == "summary_large_image"
    assert f'href="/data/{item["dataset"]["id"]}"' in html
    assert client.get(image.replace("http://localhost", "")).status_code == 200
    # The home page is shareable too.
    home = client.get("/").get_data(as_text=True)
    assert meta(home, "og:type") == "website" and meta(home, "og:image") == image


def test_ready_to_post_text_and_share_links(client, anonymous, make_user):
    Team(make_user).publish("Penduduk & Kecamatan 2025", "Jumlah penduduk naik.",
                            tagar=["DataMagetan", "Penduduk", "satudatamagetan"])
    item = latest_publication(anonymous)
    html = client.get(f"/publikasi/{item['id']}").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*id="teks-siap"[^>]*readonly>(.*?)</textarea>', html, re.S)
    assert textarea, "the ready-to-post text is a readonly textarea"
    assert unescape(textarea.group(1)) == "Jumlah penduduk naik.\n\n#DataMagetan #Penduduk #satudatamagetan"
    assert 'data-copy-target="teks-siap"' in html and "Tersalin" in html
    assert '<script src="/static/js/portal.js">' in html and "onclick" not in html
    url = item["url"]
    shares = {}
    for href in re.findall(r'href="(https://(?:wa\.me|www\.facebook\.com|x\.com|t\.me)/[^"]+)"', html):
        parts = urlsplit(unescape(href))
        assert " " not in parts.query and "<" not in parts.query
        shares[parts.netloc] = parse_qs(parts.query)
    assert set(shares) == {"wa.me", "www.facebook.com", "x.com", "t.me"}
    assert shares["wa.me"]["text"] == [f"Penduduk & Kecamatan 2025 — {url}"]
    assert shares["www.facebook.com"]["u"] == [url]
    assert shares["x.com"]["url"] == [url] and shares["x.com"]["text"] == ["Penduduk & Kecamatan 2025"]
    assert shares["t.me"]["url"] == [url]
    # The ampersand of the title is encoded, not a parameter separator.
    assert "Penduduk+%26+Kecamatan" in unescape(html)


def test_ready_text_without_tags_has_the_house_tag(client, anonymous, make_user):
    Team(make_user).publish("Tanpa tagar", "Caption saja.")
    html = client.get(f"/publikasi/{latest_publication(anonymous)['id']}").get_data(as_text=True)
    assert "Caption saja.\n\n#SatuDataMagetan</textarea>" in html


def test_dataset_page_download_and_its_publications(client, anonymous, make_user):
    team = Team(make_user)
    team.publish("Penduduk per kecamatan", "Caption.")
    item = latest_publication(anonymous)
    dataset_id = item["dataset"]["id"]
    html = client.get(f"/data/{dataset_id}").get_data(as_text=True)
    assert f'href="/data/{dataset_id}/unduh"' in html
    assert "Penduduk per kecamatan" in html  # the publications made from it
    assert "<th scope=\"col\">kecamatan</th>" in html and "48200" in html
    response = client.get(f"/data/{dataset_id}/unduh")
    assert response.status_code == 200
    assert response.data == SAMPLE_CSV
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=jumlah-penduduk-per-kecamatan-2025.csv"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/csv"
    assert client.get("/data/999999/unduh").status_code == 404


def test_unchecked_data_is_not_public(client, make_user, auth):
    team = Team(make_user)
    response = team.admin.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title="Belum diperiksa",
                                 opd="dispendukcapil", period="2025")
    dataset = response.get_json()
    assert dataset["status"] == "draft"
    assert client.get(f"/data/{dataset['id']}").status_code == 404
    assert client.get(f"/data/{dataset['id']}/unduh").status_code == 404
    # Before the check only those who prepare, check or supervise it see it; not the redaktur.
    auth.login("redaktur", "redaktur1")  # through /masuk: 302
    assert client.get(f"/data/{dataset['id']}").status_code == 404
    auth.logout()
    auth.login("admin", "admin1")
    page = client.get(f"/data/{dataset['id']}")
    assert page.status_code == 200 and "Belum diperiksa" in page.get_data(as_text=True)
    download = client.get(f"/data/{dataset['id']}/unduh")
    assert download.data == SAMPLE_CSV and "private" in download.headers["Cache-Control"]


def test_download_name_is_safe():
    from app.catalog.public import download_name

    assert download_name('../../etc/"passwd"\r\n', "2025", "text/csv") == "etc-passwd-2025.csv"
    assert download_name("Údara bersih ☀", "2024/2025", "application/vnd.openxmlformats-officedocument"
                         ".spreadsheetml.sheet") == "udara-bersih-2024-2025.xlsx"
    assert download_name("☀", "", "text/csv") == "data.csv"
