"""The review server under load on loopback: decision latency, throughput, errors with 20
concurrent clients for 60 s, decisions lost when the server is killed (SIGKILL) mid-load and
restarted, and path-traversal attempts. Also takes a screenshot of each queue for the README
(benchmarks/results/review/).

Every request goes to 127.0.0.1; loops are bounded in time and count.
"""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from common import RESULTS, RUNS, write_result
from radgen.review.add import example_project
from radgen.review.store import ReviewStore

CLIENTS = 20
PROCESSES = 4  # client processes; CLIENTS threads in all
SECONDS = 60.0
TRAVERSALS = [
    "../review.sqlite",
    "..%2Freview.sqlite",
    "synthetic/../../review.sqlite",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "arrays/../../../../etc/hosts",
    "..%252F..%252Freview.sqlite",
    "%2e%2e/%2e%2e/review.sqlite",
    "synthetic/%00../review.sqlite",
    "\\..\\review.sqlite",
    "files/../../review.sqlite",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(project: Path, port: int) -> subprocess.Popen:
    code = (
        "import uvicorn, sys; from radgen.review.server import create_app;"
        f"uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port={port}, log_level='error')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(project)])
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("review server did not start")


def make_project(root: Path, n_items: int = 400) -> tuple[Path, str]:
    """A project with real items in every queue (from the review tests' recipe) plus many
    text items, enough to make listing and deciding realistic."""
    from radgen.privacy.deid import Deidentifier
    from radgen.review.add import add_deid, add_text

    shutil.rmtree(root, ignore_errors=True)
    store = ReviewStore(root, create=True)
    deid = Deidentifier("redact")
    report = "FINDINGS: Mildly enlarged heart. No pleural effusion. Left lower lobe atelectasis."
    add_text(store, report, "The heart is enlarged. Right lower lobe atelectasis.", "rewrite 0")
    add_deid(store, deid.deidentify("Patient: DOE^JANE  MRN 12-345-678\nFINDINGS: Clear."), "r0")
    files = root / "files" / "synthetic"
    files.mkdir(parents=True, exist_ok=True)
    (files / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    for i in range(n_items):
        store.add_item(
            "text", f"item {i}", {"source": report, "generated": report, "statements": []}, []
        )
    token = store.reset_token()
    store.close()
    return root, token


def load(url: str, token: str, seconds: float, acknowledged: list, errors: list, lat: list):
    """One client: list, open, decide, fetch a file; until time is up."""
    h = {"Authorization": f"Bearer {token}"}
    rng = np.random.default_rng(threading.get_ident() % 2**32)
    end = time.monotonic() + seconds
    count = 0
    with httpx.Client(base_url=url, headers=h, timeout=10.0) as c:
        while time.monotonic() < end and count < 100_000:
            try:
                items = c.get("/api/items", params={"queue": "text"}).json()
                item = items[int(rng.integers(len(items)))]["id"]
                c.get(f"/api/items/{item}").raise_for_status()
                t0 = time.perf_counter()
                r = c.post(
                    f"/api/items/{item}/decisions",
                    json={
                        "reviewer": f"r{threading.get_ident() % 97}",
                        "decision": "accept",
                        "reason": "load test",
                    },
                )
                lat.append(time.perf_counter() - t0)
                r.raise_for_status()
                acknowledged.append(r.json()["id"])
                c.get("/files/synthetic/x.png").raise_for_status()
                count += 4
            except (httpx.HTTPError, KeyError, ValueError) as err:
                errors.append(repr(err))
                if time.monotonic() >= end:
                    break
                time.sleep(0.05)
    return count


def _client_process(url: str, token: str, seconds: float, threads: int) -> dict:
    """``threads`` clients in one process; their results merged."""
    acknowledged, errors, lat, counts = [], [], [], []
    workers = [
        threading.Thread(
            target=lambda: counts.append(load(url, token, seconds, acknowledged, errors, lat))
        )
        for _ in range(threads)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"requests": sum(counts), "acknowledged": acknowledged, "errors": errors, "lat": lat}


def run_clients(
    url: str,
    token: str,
    seconds: float,
    started: threading.Event | None = None,
    processes: int = PROCESSES,
) -> dict:
    """CLIENTS clients spread over PROCESSES processes, as browsers would be: one Python
    process's lock would otherwise time the clients' own queueing as server latency."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        pool.map(abs, range(processes))  # every process started before the clock starts
        t0 = time.perf_counter()
        if started is not None:
            started.set()
        parts = pool.starmap(
            _client_process, [(url, token, seconds, CLIENTS // processes)] * processes
        )
        wall = time.perf_counter() - t0
    return {
        "requests": sum(p["requests"] for p in parts),
        "seconds": wall,
        "acknowledged": [a for p in parts for a in p["acknowledged"]],
        "errors": [e for p in parts for e in p["errors"]],
        "latency": [x for p in parts for x in p["lat"]],
    }


def screenshots(project: Path, token: str, out: Path) -> list[str]:
    """One screenshot per queue, from the review tests' kind of project."""
    from playwright.sync_api import sync_playwright

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return []
    port = free_port()
    proc = start_server(project, port)
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 1280, "height": 760})
            page.goto(f"http://127.0.0.1:{port}/#token={token}")
            page.wait_for_selector("#tabs button")
            page.select_option("#status", "")
            for queue in ("synthetic", "edit", "text", "deid"):
                page.click(f"#tabs button[data-q={queue}]")
                page.wait_for_timeout(800)
                if queue == "text" and page.locator(".stmt.contradicted").count():
                    page.click(".stmt.contradicted >> nth=0")
                path = out / f"{queue}.png"
                page.screenshot(path=str(path))
                shots.append(str(path.relative_to(RESULTS.parent)))
            b.close()
    finally:
        proc.kill()
    return shots


def main() -> None:
    project, token = make_project(RUNS / "review_bench")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(project, port)
    try:
        blocked = 0
        for t in TRAVERSALS:
            r = httpx.get(f"{url}/files/{t}", params={"token": token})
            blocked += r.status_code in (400, 404) and b"SQLite" not in r.content
        steady = run_clients(url, token, SECONDS)
        one_process = run_clients(url, token, SECONDS, processes=1)
    finally:
        proc.kill()
        proc.wait()
    # kill mid-load: every acknowledged decision must be on disk after a restart
    port2 = free_port()
    proc2 = start_server(project, port2)
    box: dict = {}
    started = threading.Event()
    loader = threading.Thread(
        target=lambda: box.update(run_clients(f"http://127.0.0.1:{port2}", token, 8.0, started))
    )
    loader.start()
    started.wait(120)
    time.sleep(4.0)
    proc2.send_signal(signal.SIGKILL)
    proc2.wait()
    loader.join()
    proc3 = start_server(project, port2)
    proc3.kill()
    proc3.wait()
    stored = {d["id"] for d in ReviewStore(project).decisions()}
    lost = [i for i in box["acknowledged"] if i not in stored]
    lat_ms = np.array(steady["latency"]) * 1000
    shutil.rmtree(RUNS / "review_showcase", ignore_errors=True)
    showcase, showcase_token, _ = example_project(RUNS / "review_showcase")
    shots = screenshots(showcase, showcase_token, RESULTS / "review")
    write_result(
        "bench_review",
        {
            "p95_ms_decision": round(float(np.percentile(lat_ms, 95)), 2),
            "median_ms_decision": round(float(np.median(lat_ms)), 2),
            "p95_ms_decision_clients_in_one_process": round(
                float(np.percentile(np.array(one_process["latency"]) * 1000, 95)), 2
            ),
            "requests_per_s": round(steady["requests"] / steady["seconds"], 1),
            "errors": len(steady["errors"]),
            "error_examples": steady["errors"][:5],
            "decisions_recorded_under_load": len(steady["acknowledged"]),
            "lost_decisions": len(lost),
            "acknowledged_before_kill": len(box["acknowledged"]),
            "traversal_blocked": f"{blocked}/{len(TRAVERSALS)}",
            "traversal_all_blocked": blocked == len(TRAVERSALS),
            "clients": CLIENTS,
            "client_processes": PROCESSES,
            "seconds": SECONDS,
            "screenshots": shots,
            "note": (
                "loopback only; the clients and the server share the 2 cores; each client"
                " lists its queue (400 items), opens an item, decides and fetches a file, with"
                " no pause; the one-process figure times 20 client threads behind one Python"
                " lock (the harness before 2026-11-29)"
            ),
        },
    )


if __name__ == "__main__":
    main()
