"""The CKAN-compatible Action API, driven by the real ckanapi client against the app on a real port."""
from __future__ import annotations

import io

import ckanapi
import openpyxl
import pytest
import requests
from support.catalog import draft, upload_dataset
from support.queries import selects_of
from support.samples import SAMPLE_CSV
from support.servers import served
from support.sop import publish


@pytest.fixture
def base_url(app_factory):
    """The app served on a free port of 127.0.0.1, as a harvester meets it (CSRF on, as in production)."""
    with served(app_factory(WTF_CSRF_ENABLED=True), "ckan-server") as url:
        yield url


@pytest.fixture
def remote(base_url):
    with ckanapi.RemoteCKAN(base_url) as remote:
        yield remote


@pytest.fixture
def catalog(make_user):
    """Three checked datasets of two OPDs, and one dataset in each unchecked state."""
    admin = make_user("admin1", "admin")
    penduduk = upload_dataset(admin, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil",
                              description="Penduduk menurut kecamatan.", topic="Kependudukan",
                              license="CC BY 4.0", unit="jiwa", release_date="2025-03-01",
                              contact="Bidang Pendataan", source="SIAK")
    puskesmas = upload_dataset(admin, title="Jumlah Puskesmas", opd="dinkes", topic="Kesehatan",
                               period="2024-S2")
    bidan = upload_dataset(admin, title="Jumlah Bidan Desa", opd="dinkes", topic="Kesehatan", period="2025-03")
    hidden = {"draft": draft(admin, "Draf Rahasia Dinkes")}
    hidden["submitted"] = draft(admin, "Diajukan Belum Diperiksa")
    assert admin.post(f"/datasets/{hidden['submitted']['id']}/submit").status_code == 200
    hidden["returned"] = draft(admin, "Dikembalikan Walidata")
    assert admin.post(f"/datasets/{hidden['returned']['id']}/submit").status_code == 200
    returned = admin.post(f"/datasets/{hidden['returned']['id']}/return", json={"reason": "Kolom kurang"})
    assert returned.status_code == 200
    return {"admin": admin, "penduduk": penduduk, "puskesmas": puskesmas, "bidan": bidan, "hidden": hidden}


def test_package_list_and_show_expose_only_checked_data(remote, catalog):
    names = remote.action.package_list()
    assert len(names) == 3
    assert {n.split("-", 1)[0] for n in names} == {str(catalog[k]["id"]) for k in ("penduduk", "puskesmas", "bidan")}

    by_id = remote.action.package_show(id=catalog["penduduk"]["uuid"])
    assert by_id["id"] == catalog["penduduk"]["uuid"]  # unique beside other regions' packages
    assert remote.action.package_show(id=str(catalog["penduduk"]["id"]))["id"] == by_id["id"]
    assert by_id["title"] == "Jumlah Penduduk per Kecamatan"
    assert by_id["notes"] == "Penduduk menurut kecamatan."
    assert by_id["name"] in names and by_id["name"].endswith("-jumlah-penduduk-per-kecamatan")
    assert by_id["organization"]["name"] == "dispendukcapil" and by_id["owner_org"] == "dispendukcapil"
    assert by_id["organization"]["title"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert (by_id["type"], by_id["state"], by_id["private"]) == ("dataset", "active", False)
    assert (by_id["license_id"], by_id["license_title"]) == ("cc-by", "Creative Commons Attribution")
    assert [t["name"] for t in by_id["tags"]] == ["Kependudukan"] and by_id["num_tags"] == 1
    assert [g["title"] for g in by_id["groups"]] == ["Kependudukan"]
    extras = {e["key"]: e["value"] for e in by_id["extras"]}
    assert extras["period"] == "2025" and extras["unit"] == "jiwa" and extras["release_date"] == "2025-03-01"
    assert extras["frequency"] == "tahunan" and extras["source"] == "SIAK" and extras["contact"] == "Bidang Pendataan"
    assert by_id["url"].endswith(f"/data/{catalog['penduduk']['id']}")
    assert by_id["metadata_modified"] >= by_id["metadata_created"]

    by_name = remote.action.package_show(id=by_id["name"])
    assert by_name["id"] == by_id["id"]

    for dataset in catalog["hidden"].values():
        for ident in (str(dataset["id"]), dataset["uuid"]):
            with pytest.raises(ckanapi.NotFound):
                remote.action.package_show(id=ident)
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id=f"{catalog['penduduk']['id']}-nama-lain")


def test_resources_download_the_real_file(remote, catalog):
    package = remote.action.package_show(id=str(catalog["bidan"]["id"]))
    resources = package["resources"]
    assert package["num_resources"] == len(resources) == 4
    assert [r["format"] for r in resources] == ["CSV", "CSV", "XLSX", "JSON"]
    original = requests.get(resources[0]["url"], timeout=10)
    assert original.status_code == 200 and original.content == SAMPLE_CSV
    assert resources[0]["mimetype"] == "text/csv" and resources[0]["size"] == len(SAMPLE_CSV)
    as_csv = requests.get(resources[1]["url"], timeout=10)
    assert as_csv.status_code == 200 and "Maospati" in as_csv.text
    as_xlsx = requests.get(resources[2]["url"], timeout=10)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert "Maospati" in [cell.value for row in sheet.iter_rows() for cell in row]
    as_json = requests.get(resources[3]["url"], timeout=10)
    assert as_json.status_code == 200 and "Maospati" in as_json.text and as_json.json()


def test_package_search_by_words_organization_and_paging(remote, catalog):
    everything = remote.action.package_search()
    assert everything["count"] == 3 and len(everything["results"]) == 3
    assert everything["facets"] == {} and everything["search_facets"] == {}

    dinkes = remote.action.package_search(fq="organization:dinkes")
    assert dinkes["count"] == 2
    assert {p["title"] for p in dinkes["results"]} == {"Jumlah Puskesmas", "Jumlah Bidan Desa"}
    assert all(p["organization"]["title"] == "Dinas Kesehatan" for p in dinkes["results"])

    words = remote.action.package_search(q="puskesmas")
    assert [p["title"] for p in words["results"]] == ["Jumlah Puskesmas"]
    assert remote.action.package_search(q="rahasia")["count"] == 0  # the draft's words find nothing

    assert remote.action.package_search(fq="-organization:dinkes")["count"] == 1
    assert remote.action.package_search(fq="tags:Kesehatan")["count"] == 2
    assert remote.action.package_search(fq="groups:kesehatan OR groups:kependudukan")["count"] == 3
    assert remote.action.package_search(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")["count"] == 3
    assert remote.action.package_search(fq="metadata_modified:[2999-01-01T00:00:00.000001Z TO *]")["count"] == 0

    first = remote.action.package_search(rows=2, start=0, sort="id asc")
    second = remote.action.package_search(rows=2, start=2, sort="id asc")
    assert first["count"] == second["count"] == 3 and first["sort"] == "id asc"
    ids = [p["id"] for p in first["results"] + second["results"]]
    made = sorted((catalog[k] for k in ("penduduk", "puskesmas", "bidan")), key=lambda d: d["id"])
    assert ids == [d["uuid"] for d in made]  # a stable order for harvesters that page

    newest = remote.action.package_search(sort="metadata_modified desc")["results"]
    assert [p["metadata_modified"] for p in newest] == sorted((p["metadata_modified"] for p in newest), reverse=True)

    faceted = remote.action.package_search(**{"facet.field": ["organization", "groups"]})
    assert faceted["facets"]["organization"] == {"dinkes": 2, "dispendukcapil": 1}
    assert {"name": "dinkes", "display_name": "Dinas Kesehatan", "count": 2} in \
        faceted["search_facets"]["organization"]["items"]
    assert faceted["facets"]["groups"] == {"kesehatan": 2, "kependudukan": 1}


def test_get_only_clients_are_served_too(base_url, catalog):
    with ckanapi.RemoteCKAN(base_url, get_only=True) as remote:
        found = remote.action.package_search(fq="organization:dinkes", sort="title asc",
                                             **{"facet.field": ["organization", "tags"]})
        assert [p["title"] for p in found["results"]] == ["Jumlah Bidan Desa", "Jumlah Puskesmas"]
        assert found["facets"] == {"organization": {"dinkes": 2}, "tags": {"Kesehatan": 2}}
        assert remote.action.organization_show(id="dinkes")["package_count"] == 2


def test_bad_search_parameters_are_validation_errors(remote, base_url, catalog):
    for bad in ({"rows": "banyak"}, {"start": -1}, {"sort": "warna asc"}, {"fq": "rahasia:ya"}):
        with pytest.raises(ckanapi.ValidationError):
            remote.action.package_search(**bad)
    response = requests.get(f"{base_url}/api/3/action/package_search", params={"rows": "x"}, timeout=10)
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Validation Error" and "rows" in body["error"]
    assert remote.action.package_search(rows=5000)["count"] == 3  # capped like CKAN, not refused


def test_organizations(remote, catalog):
    names = remote.action.organization_list()
    assert {"dinkes", "dispendukcapil", "diskominfo"} <= set(names)
    full = {o["name"]: o for o in remote.action.organization_list(all_fields=True)}
    assert full["dinkes"]["title"] == "Dinas Kesehatan" and full["dinkes"]["package_count"] == 2
    assert full["diskominfo"]["package_count"] == 0

    dinkes = remote.action.organization_show(id="dinkes")
    assert dinkes["title"] == "Dinas Kesehatan" and dinkes["package_count"] == 2
    assert "packages" not in dinkes
    with_data = remote.action.organization_show(id="dinkes", include_datasets=True)
    assert {p["title"] for p in with_data["packages"]} == {"Jumlah Puskesmas", "Jumlah Bidan Desa"}
    with pytest.raises(ckanapi.NotFound):
        remote.action.organization_show(id="tidak-ada")


def test_publications_are_showcases(remote, catalog, make_user):
    team = (make_user("redaktur1", "redaktur"), make_user("desain1", "desain"))
    publish(team, catalog["penduduk"], "Infografis Penduduk 2025", "Penduduk Magetan terus bertambah.")

    showcases = remote.action.ckanext_showcase_list()
    assert len(showcases) == 1
    showcase = showcases[0]
    assert showcase["type"] == "showcase" and showcase["title"] == "Infografis Penduduk 2025"
    assert showcase["notes"] == "Penduduk Magetan terus bertambah."
    image = requests.get(showcase["image_url"], timeout=10)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert requests.get(showcase["url"], timeout=10).status_code == 200

    assert remote.action.ckanext_showcase_show(id=showcase["id"])["name"] == showcase["name"]
    assert remote.action.ckanext_showcase_show(id=showcase["name"])["id"] == showcase["id"]
    of_package = remote.action.ckanext_package_showcase_list(id=str(catalog["penduduk"]["id"]))
    assert [s["id"] for s in of_package] == [showcase["id"]]
    assert remote.action.ckanext_package_showcase_list(id=str(catalog["bidan"]["id"])) == []
    packages = remote.action.ckanext_showcase_package_list(id=showcase["id"])
    assert [p["title"] for p in packages] == ["Jumlah Penduduk per Kecamatan"]
    with pytest.raises(ckanapi.NotFound):
        remote.action.ckanext_package_showcase_list(id=str(catalog["hidden"]["draft"]["id"]))


def test_unknown_and_write_actions_answer_in_ckan_shape(remote, base_url, catalog):
    with pytest.raises(ckanapi.NotFound):
        remote.call_action("dataset_teleport")
    with pytest.raises(ckanapi.NotAuthorized):
        remote.action.package_create(name="baru", title="Baru")

    unknown = requests.get(f"{base_url}/api/3/action/dataset_teleport", timeout=10)
    assert unknown.status_code == 404
    assert unknown.json()["success"] is False and unknown.json()["error"]["__type"] == "Not Found Error"
    assert unknown.json()["help"].startswith(f"{base_url}/api/3/action/help_show")
    write = requests.post(f"{base_url}/api/3/action/package_delete", json={"id": "1"}, timeout=10)
    assert write.status_code == 405 and "hanya-baca" in write.json()["error"]["message"]
    put = requests.put(f"{base_url}/api/3/action/package_show", timeout=10)
    assert put.status_code == 405 and put.json()["success"] is False
    elsewhere = requests.get(f"{base_url}/api/3/tidak/ada", timeout=10)
    assert elsewhere.status_code == 404 and elsewhere.json()["error"]["__type"] == "Not Found Error"
    assert requests.get(f"{base_url}/api/3", timeout=10).json() == {"version": 3}

    shown = requests.get(f"{base_url}/api/3/action/package_show", params={"id": catalog["penduduk"]["id"]}, timeout=10)
    assert shown.status_code == 200 and shown.json()["success"] is True
    assert shown.json()["help"] == f"{base_url}/api/3/action/help_show?name=package_show"
    assert shown.json()["result"]["title"] == "Jumlah Penduduk per Kecamatan"


def test_search_costs_the_same_queries_for_one_or_many_datasets(app, client, make_user):
    admin = make_user("admin1", "admin")
    upload_dataset(admin, title="Satu", opd="dinkes")
    one, one_cost = selects_of(app, client, "/api/3/action/package_search?rows=100")
    for n in range(4):
        upload_dataset(admin, title=f"Lagi {n}", opd="dispendukcapil")
    many, many_cost = selects_of(app, client, "/api/3/action/package_search?rows=100")
    assert one.get_json()["result"]["count"] == 1 and many.get_json()["result"]["count"] == 5
    assert many_cost == one_cost == 2  # the count and the page, whatever the number of datasets


def test_free_text_topics_become_valid_tags_and_groups(client, make_user):
    admin = make_user("admin1", "admin")
    dataset = upload_dataset(admin, title="Cagar Budaya", opd="dinkes", topic="Sosial & Budaya")
    shown = client.get(f"/api/3/action/package_show?id={dataset['id']}").get_json()["result"]
    assert [t["name"] for t in shown["tags"]] == ["Sosial Budaya"]
    assert [(g["name"], g["title"]) for g in shown["groups"]] == [("sosial-budaya", "Sosial & Budaya")]
    for fq in ('tags:"Sosial Budaya"', "groups:sosial-budaya"):
        found = client.post("/api/3/action/package_search", json={"fq": fq}).get_json()["result"]
        assert [p["title"] for p in found["results"]] == ["Cagar Budaya"], fq
