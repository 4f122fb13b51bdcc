"""The review workstation: store (append-only, versioned), server (token, traversal, restart,
export) and the page in a real browser (Debian's chromium through Playwright)."""

import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from radgen.errors import RadgenError
from radgen.review import add
from radgen.review.server import create_app
from radgen.review.store import MIGRATIONS, ReviewStore

CHROMIUM = Path("/usr/bin/chromium")
REPORT, GENERATED, PHI_REPORT = add.EXAMPLE_REPORT, add.EXAMPLE_REWRITE, add.EXAMPLE_PHI


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with one of every queue: an evaluation, a CT translation, a text, a de-id."""
    return add.example_project(tmp_path_factory.mktemp("review"))


@pytest.fixture
def client(project):
    path, token, keys = project
    return TestClient(create_app(path, keys)), token


def test_every_queue_is_filled(project):
    store = ReviewStore(project[0])
    counts = {q: len(store.items(q)) for q in ("synthetic", "edit", "text", "deid")}
    assert counts["edit"] == counts["text"] == counts["deid"] == 1 and counts["synthetic"] == 6
    flips = [i for i in store.items("synthetic") if any("near-copy" in f for f in i["flags"])]
    assert flips, "the flipped copies of real images are flagged"
    text = store.items("text")[0]
    assert {"contradicted"} <= set(text["flags"])
    deid = store.items("deid")[0]
    assert "KOWALCZYK" not in json.dumps(deid["payload"])  # the original never enters the project


def test_decision_log_is_append_only_and_versioned(tmp_path):
    store = ReviewStore(tmp_path / "p", create=True)
    item = store.add_item("text", "t", {"source": "a", "generated": "b", "statements": []})
    store.decide(item, "Dr A", "accept", "looks right")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE decisions SET decision='reject'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM decisions")
    assert store.version == len(MIGRATIONS)
    with pytest.raises(RadgenError, match="reason"):
        store.decide(item, "Dr A", "reject", "  ")
    with pytest.raises(RadgenError, match="edited text"):
        store.decide(item, "Dr A", "edit", "fix", None)


def test_old_schema_is_migrated(tmp_path):
    root = tmp_path / "old"
    root.mkdir()
    db = sqlite3.connect(root / "review.sqlite")
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    for title in ("x", "y"):
        db.execute(
            "INSERT INTO items (queue, title, payload, created_utc) VALUES ('text', ?, '{}', 'now')",
            (title,),
        )
    db.execute("INSERT INTO reviewers VALUES ('Dr A', 'now')")
    for decision in ("reject", "accept"):  # the latest decision is the item's status
        db.execute(
            "INSERT INTO decisions (item_id, reviewer, decision, reason, created_utc)"
            " VALUES (1, 'Dr A', ?, 'r', 'now')",
            (decision,),
        )
    db.commit()
    db.close()
    store = ReviewStore(root)
    assert store.version == len(MIGRATIONS) and store.items()[0]["title"] == "x"
    assert [i["status"] for i in store.summaries()] == ["accept", "pending"]
    store.decide(2, "Dr A", "reject", "wrong side")
    assert store.summaries(status="reject")[0]["title"] == "y"


def test_listing_matches_the_full_items_and_filters(tmp_path):
    store = ReviewStore(tmp_path / "p", create=True)
    a = store.add_item("text", "a", {"source": "s"}, ["contradicted: 1"])
    store.add_item("text", "b", {"source": "s"}, ["severity"])
    store.add_item("deid", "c", {"text": "t"})
    store.decide(a, "Dr A", "reject", "no")
    store.decide(a, "Dr A", "accept", "yes after all")
    keys = ("id", "queue", "title", "flags", "status")
    assert store.summaries() == [{k: i[k] for k in keys} for i in store.items()]
    assert [i["title"] for i in store.summaries("text", flag="contradicted")] == ["a"]
    assert [i["title"] for i in store.summaries(status="pending")] == ["b", "c"]
    assert [i["title"] for i in store.summaries("text", status="accept")] == ["a"]
    assert store.counts() == {
        "queues": {"synthetic": 0, "edit": 0, "text": 2, "deid": 1},
        "pending": 2,
        "flags": ["contradicted: 1", "severity"],
    }


def test_corrupt_or_missing_project_is_one_clear_error(tmp_path, cli):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "review.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RadgenError, match="corrupt"):
        ReviewStore(tmp_path / "bad")
    code, _, err = cli("review", "serve", "--project", tmp_path / "bad")
    assert code == 2 and "corrupt" in err and err.count("\n") == 1
    code, _, err = cli("review", "serve", "--project", tmp_path / "nothing")
    assert code == 2 and "not a review project" in err


def test_every_request_needs_the_token(client):
    c, token = client
    assert c.get("/api/items").status_code == 401
    assert c.get("/api/items", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/items", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert c.get(f"/api/items?token={token}").status_code == 200
    assert c.get("/").status_code == 200  # the page itself holds no data


TRAVERSALS = [
    "../review.sqlite",
    "..%2Freview.sqlite",
    "synthetic/../../review.sqlite",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "arrays/../../../../etc/hosts",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(client, path):
    c, token = client
    r = c.get(f"/files/{path}?token={token}")
    assert r.status_code in (404, 400) and b"SQLite" not in r.content and b"root:" not in r.content


def test_decisions_survive_a_restart_and_export(project):
    path, token, keys = project
    c = TestClient(create_app(path, keys))
    h = {"Authorization": f"Bearer {token}"}
    item = c.get("/api/items?queue=text", headers=h).json()[0]["id"]
    r = c.post(
        f"/api/items/{item}/decisions",
        headers=h,
        json={
            "reviewer": "Dr B",
            "decision": "edit",
            "reason": "side fixed",
            "edited_text": "Left lower lobe atelectasis.",
        },
    )
    assert r.status_code == 200
    c2 = TestClient(create_app(path, keys))  # a new server on the same project
    assert c2.get(f"/api/items/{item}", headers=h).json()["status"] == "edit"
    log = c2.get("/api/export/decisions?format=json", headers=h).json()
    assert any(d["item_id"] == item and d["edited_text"] for d in log)
    csv_text = c2.get("/api/export/accepted?format=csv", headers=h).text
    assert "side fixed" in csv_text.splitlines()[-1] or "side fixed" in csv_text
    bad = c2.post(
        f"/api/items/{item}/decisions",
        headers=h,
        json={"reviewer": "Dr B", "decision": "maybe", "reason": "x"},
    )
    assert bad.status_code == 422


def test_originals_only_with_the_key_store(project):
    path, token, keys = project
    h = {"Authorization": f"Bearer {token}"}
    deid = ReviewStore(path).items("deid")[0]["payload"]
    name_span = next(s for s in deid["spans"] if s["category"] == "NAME")
    surrogate = deid["text"][name_span["start"] : name_span["end"]]
    without = TestClient(create_app(path)).get(f"/api/reveal?surrogate={surrogate}", headers=h)
    assert without.status_code == 403
    with_keys = TestClient(create_app(path, keys)).get(
        f"/api/reveal?surrogate={surrogate}", headers=h
    )
    originals = [o["original"] for o in with_keys.json()["originals"]]
    assert any("KOWALCZYK" in o or "Carvalho" in o for o in originals)


# ---- the page in a real browser ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(project):
    import uvicorn

    path, token, keys = project
    port = _free_port()
    config = uvicorn.Config(create_app(path, keys), host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token, path
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "needs Debian's chromium (make test installs it as root: apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def _open(browser, server):
    url, token, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/#token={token}")
    page.fill("#reviewer", "Dr Reviewer")
    page.dispatch_event("#reviewer", "change")
    page.wait_for_selector("#list div[data-id]")
    page.select_option("#status", "")  # every item, decided or not
    return page


def _decide(page, button: str, reason: str) -> None:
    page.fill("#reason", reason)
    page.click(button)
    page.wait_for_function("document.getElementById('msg').textContent.includes('recorded')")


def test_browser_clicks_through_every_queue(browser, server, tmp_path):
    page = _open(browser, server)
    _, _, path = server
    # synthetic: a flagged near-copy is rejected
    page.click("#tabs button[data-q=synthetic]")
    page.wait_for_selector("#detail img")
    assert page.locator("#detail figure").count() >= 2  # the image and its nearest real ones
    page.screenshot(path=str(tmp_path / "synthetic.png"))
    _decide(page, "#reject", "near-copy of a training patient")
    # edit: window/level control on CT, accepted
    page.click("#tabs button[data-q=edit]")
    page.wait_for_selector("#cv-difference")
    page.click("button.preset[data-w=lung]")
    assert "W 1500" in page.inner_text("#wl")
    _decide(page, "#accept", "kernel conversion looks faithful")
    # text: a contradicted statement shows its evidence; edited
    page.click("#tabs button[data-q=text]")
    page.wait_for_selector(".stmt.contradicted")
    page.click(".stmt.contradicted >> nth=0")
    assert page.locator("mark.evidence").count() == 1
    page.fill("#edited", "The heart is mildly enlarged. There is no pleural effusion.")
    _decide(page, "#edit", "restored the negation and the qualifier")
    # deid: replacements highlighted, an original revealed with the key store
    page.click("#tabs button[data-q=deid]")
    page.wait_for_selector("mark.phi")
    page.locator("mark.phi").first.click()
    page.wait_for_function("document.getElementById('msg').textContent.length > 0")
    _decide(page, "#accept", "no PHI left")
    store = ReviewStore(path)
    decisions = {(d["reviewer"], d["decision"]) for d in store.decisions()}
    assert {
        ("Dr Reviewer", "reject"),
        ("Dr Reviewer", "accept"),
        ("Dr Reviewer", "edit"),
    } <= decisions
    edited = [
        d for d in store.decisions() if d["decision"] == "edit" and d["reviewer"] == "Dr Reviewer"
    ]
    assert "no pleural effusion" in edited[-1]["edited_text"]
    export = page.request.get(f"{server[0]}/api/export/decisions?format=csv&token={server[1]}")
    assert export.ok and "near-copy of a training patient" in export.text()


def test_browser_keyboard_shortcuts(browser, server):
    page = _open(browser, server)
    page.click("#tabs button[data-q=synthetic]")
    page.wait_for_selector("#detail img")
    page.wait_for_load_state("networkidle")  # the tab's list and first item have arrived
    first = page.inner_text("#detail h2")
    page.keyboard.press("j")
    page.wait_for_function(
        f"document.querySelector('#detail h2').textContent !== {json.dumps(first)}"
    )
    page.keyboard.press("a")
    page.keyboard.type("fine sample")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('msg').textContent.includes('accept recorded')")


def test_commands_queue_their_outputs_with_review(cli, tmp_path):
    (tmp_path / "r.txt").write_text(PHI_REPORT)
    code, _, err = cli(
        "deid", "text", tmp_path / "r.txt", tmp_path / "out.txt", "--review", tmp_path / "proj"
    )
    assert code == 0, err
    (tmp_path / "src.txt").write_text(REPORT)
    (tmp_path / "gen.txt").write_text(GENERATED)
    code, _, _ = cli(
        "text",
        "check",
        "--source",
        tmp_path / "src.txt",
        "--output",
        tmp_path / "gen.txt",
        "--no-embeddings",
        "--review",
        tmp_path / "proj",
    )
    assert code == 1  # flagged statements: exit 1, and queued
    store = ReviewStore(tmp_path / "proj")
    assert len(store.items("deid")) == 1 and len(store.items("text")) == 1
    assert "KOWALCZYK" not in json.dumps(store.items("deid")[0]["payload"])
