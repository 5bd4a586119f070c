"""The Atom feed of the portal: /feed.atom."""
from __future__ import annotations

from lxml import etree
from support.sop import Team

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return etree.fromstring(response.data)


def test_empty_feed_is_valid_atom(client):
    feed = parse(client.get("/feed.atom"))
    assert feed.tag == f"{{{ATOM}}}feed"
    for required in ("id", "title", "updated", "author/a:name"):
        assert feed.find(f"a:{required}", NS) is not None, required
    assert feed.findall("a:entry", NS) == []
    assert feed.find("a:link[@rel='self']", NS).get("href") == "http://localhost/feed.atom"


def test_feed_lists_publications_newest_first_with_escaped_text(client, anonymous, make_user):
    team = Team(make_user)
    team.publish("Pertama", "Caption pertama.")
    team.publish("Angka <naik> & turun", "Caption <b>tebal</b> & \"kutip\".")
    items = anonymous.get("/publications").get_json()["items"]
    response = client.get("/feed.atom")
    assert b"<naik>" not in response.data and b"&lt;naik&gt; &amp; turun" in response.data
    feed = parse(response)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "id"
    entries = feed.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == ["Angka <naik> & turun", "Pertama"]
    newest = entries[0]
    assert newest.findtext("a:id", namespaces=NS) == items[0]["url"]
    assert newest.findtext("a:summary", namespaces=NS) == 'Caption <b>tebal</b> & "kutip".'
    assert newest.findtext("a:updated", namespaces=NS) == items[0]["published_at"]
    assert feed.findtext("a:updated", namespaces=NS) == items[0]["published_at"]
    assert newest.find("a:link[@rel='alternate']", NS).get("href") == items[0]["url"]
    enclosure = newest.find("a:link[@rel='enclosure']", NS)
    assert enclosure.get("href") == items[0]["image_url"] and enclosure.get("type") == "image/png"
    assert int(enclosure.get("length")) > 0
    assert client.get(enclosure.get("href").replace("http://localhost", "")).status_code == 200


def test_feed_holds_the_latest_twenty(client, make_user, monkeypatch):
    from app.publishing.web import portal

    monkeypatch.setattr(portal, "FEED_SIZE", 2)
    team = Team(make_user)
    for n in range(3):
        team.publish(f"Publikasi {n}", "Caption.")
    entries = parse(client.get("/feed.atom")).findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == ["Publikasi 2", "Publikasi 1"]


def test_feed_size_default():
    from app.publishing.web import portal

    assert portal.FEED_SIZE == 20
