"""Serving and scale-out on this 2-core machine: data-parallel training equal to one process,
Ray batch throughput with 1 and 2 workers and with a worker killed mid-job, every task on a
de-identified remote backend (a loopback server marked remote), and a local
OpenAI-compatible server's tokens/s with each engine.

Every server is on 127.0.0.1; loops are bounded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import torch

from common import RUNS, write_result
from radgen.image.config import TrainConfig
from radgen.image.train import train
from radgen.runs import load_checkpoint
from radgen.text.batch import run_ray


def ddp() -> dict:
    """Equality after 3 steps (before float reassociation in the all-reduce is amplified by
    Adam), then throughput over 30 steps, for the default DDPM."""
    common = {"model": "ddpm", "conditional": True, "batch_size": 32, "device": "cpu",
              "checkpoint_every": 1000, "log_every": 10}  # fmt: skip
    weights, seconds = {}, {}
    for nproc in (1, 2):
        run = RUNS / f"scale_ddp_{nproc}"
        train(TrainConfig(out=str(run), nproc=nproc, steps=3, **common), overwrite=True,
              progress=False)  # fmt: skip
        weights[nproc] = load_checkpoint(run / "checkpoints" / "last.pt")["task"]["model"]
        t0 = time.perf_counter()
        train(TrainConfig(out=str(run), nproc=nproc, steps=30, **common), overwrite=True,
              progress=False)  # fmt: skip
        seconds[nproc] = time.perf_counter() - t0
    a, b = weights[1], weights[2]
    worst = max(float((a[k] - b[k]).abs().max()) for k in a if torch.is_tensor(a[k]))
    out = {1: (seconds[1], None), 2: (seconds[2], None)}
    images = 30 * common["batch_size"]
    return {
        "ddp_matches_single": worst < 1e-4,
        "ddp_max_weight_difference_after_3_steps": worst,
        "single_images_per_s": round(images / out[1][0], 1),
        "ddp_2rank_images_per_s": round(images / out[2][0], 1),
        "ddp_note": "wall time including process start; both ranks share the same 2 cores",
    }


def reports() -> list[tuple[str, str]]:
    from radgen.privacy.phi_synth import clinical_texts

    texts = clinical_texts("heldout")
    return [(f"r{i}", texts[i % len(texts)]) for i in range(400)]


def ray_runs() -> dict:
    items = reports()
    out = {}
    for workers in (1, 2):
        path = RUNS / f"scale_ray_{workers}.jsonl"
        t0 = time.perf_counter()
        run_ray(items, "extract", path, workers=workers)
        out[f"ray_reports_per_s_{workers}"] = round(len(items) / (time.perf_counter() - t0), 1)
    # a worker dies mid-job (os._exit in the worker process on a chosen batch)
    import os

    marker = Path(tempfile.mkdtemp()) / "crash"
    marker.write_text("r200")
    os.environ["RADGEN_RAY_CRASH_ONCE"] = str(marker)
    path = RUNS / "scale_ray_kill.jsonl"
    summary = run_ray(items, "extract", path, workers=2)
    del os.environ["RADGEN_RAY_CRASH_ONCE"]
    ids = [json.loads(x)["id"] for x in path.read_text().splitlines()]
    out |= {
        "ray_worker_was_killed": not marker.exists(),
        "ray_lost_items_after_kill": len({i for i, _ in items} - set(ids)),
        "ray_duplicate_items_after_kill": len(ids) - len(set(ids)),
        "ray_written_after_kill": summary["written"],
    }
    return out


def remote_tasks() -> dict:
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path[:0] = [str(tests), str(tests / "privacy")]
    from conftest import _instance  # the test server's schema-valid answers

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            fmt = body.get("response_format")
            content = (json.dumps(_instance(fmt["json_schema"]["schema"])) if fmt
                       else "The heart is mildly enlarged [1].")  # fmt: skip
            data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    from radgen.privacy.audit import AuditLog
    from radgen.privacy.deid import Deidentifier
    from radgen.text.llm.openai_http import OpenAICompatibleBackend
    from radgen.text.rag.store import KnowledgeBase, starter_documents

    report = ("Patient: KOWALCZYK, AGNIESZKA  MRN 47-318-902  DOB 03/14/1951\n"
              "FINDINGS: Mildly enlarged heart. Discussed with Dr. Ines Carvalho.")  # fmt: skip
    phi = ["KOWALCZYK", "AGNIESZKA", "47-318-902", "03/14/1951", "Carvalho"]
    tmp = Path(tempfile.mkdtemp())
    audit = AuditLog(tmp / "audit.sqlite")
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{httpd.server_port}/v1", "vendor",
                                      remote=True, audit=audit)  # fmt: skip
    kb = KnowledgeBase(tmp / "kb.sqlite")
    for doc in starter_documents():
        kb.add_file(doc)
    import test_gate

    clean = Deidentifier("redact").deidentify(report).text
    ok = {}
    for name, run in test_gate._tasks(clean, backend, kb).items():
        try:
            run()
            ok[name] = True
        except Exception as err:
            ok[name] = repr(err)
    httpd.shutdown()
    sent = json.dumps(received)
    return {
        "remote_tasks_ok": all(v is True for v in ok.values()),
        "remote_tasks": ok,
        "remote_phi_leaks": sum(p in sent for p in phi),
        "remote_calls": len(received),
        "remote_calls_audited": len(audit.rows()),
    }


def serve_tokens_per_s() -> dict:
    out = {}
    for engine in ("xllamacpp", "llama-cpp-python"):
        port = 18080 + len(out)
        proc = subprocess.Popen([sys.executable, "-m", "radgen.cli.main", "models", "serve",
                                 "--engine", engine, "--port", str(port), "--threads", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        try:
            for _ in range(300):  # until the model is loaded and answers
                try:
                    warm = httpx.post(url, json={"messages": [{"role": "user", "content": "hi"}],
                                                 "max_tokens": 1}, timeout=10)  # fmt: skip
                    if warm.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            body = {"messages": [{"role": "user", "content": "Write a long paragraph about the"
                                  " chest radiograph of a healthy adult."}],
                    "max_tokens": 128, "temperature": 0}  # fmt: skip
            t0 = time.perf_counter()
            reply = httpx.post(url, json=body, timeout=300).json()
            seconds = time.perf_counter() - t0
            tokens = reply["usage"]["completion_tokens"]
            out[engine] = round(tokens / seconds, 1)
        except (httpx.HTTPError, KeyError, ValueError) as err:
            out[engine] = f"failed: {err!r}"
        finally:
            proc.terminate()
            proc.wait(10)
    return out


def main() -> None:
    result = {**ddp(), **ray_runs(), **remote_tasks()}
    engines = serve_tokens_per_s()
    result["serve_tokens_per_s"] = engines.get("xllamacpp")
    result["serve_tokens_per_s_by_engine"] = engines
    result["serve_setup"] = {
        "xllamacpp": "prebuilt wheel, about 6 s to install here",
        "llama-cpp-python": "compiled from source, about 10-17 min on 2 cores (cached after)",
    }
    write_result("bench_scale", result)
    for p in RUNS.glob("scale_ray_*.jsonl"):
        p.unlink()
    shutil.rmtree(RUNS / "scale_ddp_1", ignore_errors=True)


if __name__ == "__main__":
    main()
