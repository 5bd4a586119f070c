"""The catalog as DCAT-AP JSON-LD, read back as RDF with rdflib."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from support.catalog import draft, upload_dataset
from support.queries import selects_of
from support.sop import publish

# rdflib's JSON-LD parser itself still uses the ConjunctiveGraph it deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

# Open namespaces (rdflib's closed ones warn when pytest looks at this module's names).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


def graph_of(response) -> Graph:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/ld+json"
    return Graph().parse(data=response.get_data(as_text=True), format="json-ld")


@pytest.fixture
def datasets(make_user):
    admin = make_user("admin1", "admin")
    return {
        "penduduk": upload_dataset(admin, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil",
                                   description="Penduduk menurut kecamatan.", topic="Kependudukan",
                                   release_date="2025-03-01", license="CC BY 4.0", contact="Bidang Pendataan"),
        "puskesmas": upload_dataset(admin, title="Jumlah Puskesmas", opd="dinkes", period="2024-S2"),
        "draft": draft(admin, "Draf Rahasia Dinkes"),
    }


DATASETS_WITH_PUBLISHER = """
SELECT ?title ?publisher_name ?download WHERE {
    ?catalog a dcat:Catalog ; dcat:dataset ?dataset .
    ?dataset a dcat:Dataset ; dct:title ?title ; dct:publisher ?publisher ; dcat:distribution ?distribution .
    ?publisher a foaf:Agent ; foaf:name ?publisher_name .
    ?distribution a dcat:Distribution ; dcat:downloadURL ?download .
}"""


def test_catalog_lists_checked_datasets_with_publisher_and_download(client, datasets):
    graph = graph_of(client.get("/catalog.jsonld"))
    downloads: dict[tuple[str, str], set[str]] = {}
    for row in graph.query(DATASETS_WITH_PUBLISHER, initNs={"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF}):
        downloads.setdefault((str(row.title), str(row.publisher_name)), set()).add(str(row.download))
    assert set(downloads) == {("Jumlah Penduduk per Kecamatan", "Dinas Kependudukan dan Pencatatan Sipil"),
                              ("Jumlah Puskesmas", "Dinas Kesehatan")}
    penduduk_id = datasets["penduduk"]["id"]
    assert f"http://localhost/data/{penduduk_id}/unduh" \
        in downloads[("Jumlah Penduduk per Kecamatan", "Dinas Kependudukan dan Pencatatan Sipil")]
    assert not list(graph.triples((None, DCTERMS.title, Literal("Draf Rahasia Dinkes"))))

    catalog = graph.value(predicate=RDF.type, object=DCAT.Catalog)
    assert graph.value(catalog, DCTERMS.title) == Literal("Satu Data Magetan")
    assert graph.value(graph.value(catalog, DCTERMS.publisher), FOAF.name) \
        == Literal("Dinas Komunikasi dan Informatika Kabupaten Magetan")
    assert len(list(graph.objects(catalog, DCAT.dataset))) == 2
    assert client.get("/data/catalog.jsonld").get_data() == client.get("/catalog.jsonld").get_data()


def test_dataset_document_carries_satu_data_metadata(client, datasets):
    dataset_id = datasets["penduduk"]["id"]
    graph = graph_of(client.get(f"/data/{dataset_id}.jsonld"))
    dataset = URIRef(f"http://localhost/data/{dataset_id}")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.identifier) == Literal(datasets["penduduk"]["uuid"])
    assert graph.value(dataset, DCTERMS.description) == Literal("Penduduk menurut kecamatan.")
    assert graph.value(dataset, DCTERMS.issued) == Literal("2025-03-01", datatype=XSD.date)
    assert graph.value(dataset, DCAT.landingPage) == dataset
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) == EU_FREQUENCY.ANNUAL
    assert graph.value(dataset, DCAT.keyword) == Literal("Kependudukan")
    assert graph.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(temporal, DCAT.startDate) == Literal("2025-01-01", datatype=XSD.date)
    assert graph.value(temporal, DCAT.endDate) == Literal("2025-12-31", datatype=XSD.date)
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.fn) == Literal("Bidang Pendataan")
    spatial = graph.value(dataset, DCTERMS.spatial)
    assert graph.value(spatial, LOCN.geographicName) == Literal("Kabupaten Magetan")
    media_types = {}
    for distribution in graph.objects(dataset, DCAT.distribution):
        url = str(graph.value(distribution, DCAT.downloadURL))
        media_types[url] = str(graph.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1]
        download = client.get(url.removeprefix("http://localhost"))
        assert download.status_code == 200 and download.mimetype == media_types[url].split(";")[0], url
    assert media_types[f"http://localhost/data/{dataset_id}/unduh"] == "text/csv"


def test_semester_period_and_frequency(client, datasets):
    dataset_id = datasets["puskesmas"]["id"]
    graph = graph_of(client.get(f"/data/{dataset_id}.jsonld"))
    dataset = URIRef(f"http://localhost/data/{dataset_id}")
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) == EU_FREQUENCY.ANNUAL_2
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(temporal, DCAT.startDate) == Literal("2024-07-01", datatype=XSD.date)
    assert graph.value(temporal, DCAT.endDate) == Literal("2024-12-31", datatype=XSD.date)


def test_unchecked_or_missing_dataset_is_not_found(client, datasets):
    assert client.get(f"/data/{datasets['draft']['id']}.jsonld").status_code == 404
    assert client.get("/data/999999.jsonld").status_code == 404


def test_publications_are_referenced_by_their_dataset(client, datasets, make_user):
    team = (make_user("redaktur1", "redaktur"), make_user("desain1", "desain"))
    publish(team, datasets["penduduk"], "Infografis Penduduk 2025", "Caption.")
    publication_id = team[0].get("/publications").get_json()["items"][0]["id"]
    graph = graph_of(client.get("/catalog.jsonld"))
    dataset = URIRef(f"http://localhost/data/{datasets['penduduk']['id']}")
    assert list(graph.objects(dataset, DCTERMS.isReferencedBy)) \
        == [URIRef(f"http://localhost/publikasi/{publication_id}")]


def test_catalog_costs_two_queries_whatever_its_size(app, client, make_user):
    admin = make_user("admin1", "admin")
    upload_dataset(admin, title="Satu", opd="dinkes")
    _, one = selects_of(app, client, "/catalog.jsonld")
    for n in range(4):
        upload_dataset(admin, title=f"Lagi {n}", opd="dispendukcapil")
    response, many = selects_of(app, client, "/catalog.jsonld")
    assert len(list(graph_of(response).subjects(RDF.type, DCAT.Dataset))) == 5
    assert many == one == 2  # the datasets, then the publications made from them
