"""A remote backend refuses raw text; every remote call is audited without its text."""

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from radgen.privacy.audit import AuditLog
from radgen.privacy.deid import Deidentifier
from radgen.privacy.gate import PrivacyError
from radgen.text.llm.openai_http import OpenAICompatibleBackend, is_loopback

RAW = "Patient John Carpenter, MRN 55501234, has a left lower lobe opacity."


@pytest.fixture
def server():
    """A local OpenAI-compatible server standing in for a remote vendor; records requests."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            text = body["messages"][-1]["content"]
            reply = {"choices": [{"message": {"role": "assistant", "content": f"echo: {text}"}}]}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1", received
    httpd.shutdown()


def test_remote_backend_refuses_raw_text(server, tmp_path):
    url, received = server
    audit = AuditLog(tmp_path / "audit.sqlite")
    backend = OpenAICompatibleBackend(url, "vendor-model", remote=True, audit=audit)
    with pytest.raises(PrivacyError, match="de-identification"):
        backend.generate(RAW)
    assert received == [] and audit.rows() == []


def test_deidentified_text_passes_and_is_audited_without_text(server, tmp_path):
    url, received = server
    audit = AuditLog(tmp_path / "audit.sqlite")
    backend = OpenAICompatibleBackend(url, "vendor-model", remote=True, audit=audit)
    clean = Deidentifier("redact")(RAW)
    reply = backend.generate(clean)
    assert reply.startswith("echo:") and "John Carpenter" not in reply
    assert len(received) == 1 and "55501234" not in json.dumps(received[0])
    rows = audit.rows()
    assert len(rows) == 1
    _, _time_utc, name, endpoint, digest, _n_chars = rows[0]
    assert "vendor-model" in name and endpoint.endswith("/chat/completions") and len(digest) == 64
    dump = sqlite3.connect(tmp_path / "audit.sqlite").iterdump()
    assert not any("left lower lobe" in line or "[NAME]" in line for line in dump)


def test_audit_log_is_append_only(tmp_path):
    audit = AuditLog(tmp_path / "audit.sqlite")
    audit.record("b", "http://x", "payload")
    db = sqlite3.connect(tmp_path / "audit.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM remote_calls")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE remote_calls SET backend = 'y'")


def test_loopback_backend_is_local_and_sends_raw_text(server):
    url, received = server
    assert is_loopback(url) and not is_loopback("https://api.vendor.example/v1")
    backend = OpenAICompatibleBackend(url, "local-model")
    assert not backend.is_remote
    assert backend.generate(RAW).startswith("echo:")
    assert len(received) == 1


PHI_REPORT = (
    "Patient: KOWALCZYK, AGNIESZKA  MRN 47-318-902  DOB 03/14/1951\n"
    "FINDINGS: Mildly enlarged heart. No pleural effusion. Discussed with Dr. Ines Carvalho.\n"
)
PHI = ["KOWALCZYK", "AGNIESZKA", "47-318-902", "03/14/1951", "Carvalho"]


def _tasks(text, backend, kb):
    from radgen.text.rag.answer import answer_question
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.extract import extract
    from radgen.text.tasks.generate import impression, simplify
    from radgen.text.tasks.protocol import recommend_protocol
    from radgen.text.tasks.structure import structure_report

    opts = LLMOptions(examples="fixed", retries=0)
    context = [
        h.chunk.prompt_text(f"{h.chunk.citation()}: ") for h in kb.search("pulmonary embolism", 2)
    ]
    return {
        "extract": lambda: extract(text, "llm", backend, opts),
        "structure": lambda: structure_report(text, "llm", backend, opts),
        "impression": lambda: impression(text, backend, opts),
        "simplify": lambda: simplify(text, backend, opts),
        "protocol": lambda: recommend_protocol(text, backend, opts, context=context),
        "rag answer": lambda: answer_question(text, kb, backend),
    }


@pytest.fixture(scope="module")
def starter_kb(tmp_path_factory):
    from radgen.text.rag.store import KnowledgeBase, starter_documents

    kb = KnowledgeBase(tmp_path_factory.mktemp("kb") / "kb.sqlite")
    for doc in starter_documents():
        kb.add_file(doc)
    return kb


def test_every_task_runs_on_a_remote_backend_once_deidentified(vendor, tmp_path, starter_kb):
    url, received = vendor
    audit = AuditLog(tmp_path / "audit.sqlite")
    backend = OpenAICompatibleBackend(url, "vendor-model", remote=True, audit=audit)
    clean = Deidentifier("redact").deidentify(PHI_REPORT).text
    for name, run in _tasks(clean, backend, starter_kb).items():
        before = len(received)
        run()
        assert len(received) > before, f"{name} made no call"
    sent = json.dumps(received)
    assert not [p for p in PHI if p in sent], "no PHI reached the remote server"
    assert len(audit.rows()) == len(received)  # every call is in the audit log


def test_every_task_is_refused_on_raw_text(vendor, tmp_path, starter_kb):
    url, received = vendor
    backend = OpenAICompatibleBackend(
        url, "vendor-model", remote=True, audit=AuditLog(tmp_path / "a.sqlite")
    )
    for name, run in _tasks(PHI_REPORT, backend, starter_kb).items():
        with pytest.raises(PrivacyError):
            run()
        assert received == [], name


def test_a_user_document_in_the_context_must_be_deidentified(vendor, tmp_path):
    from radgen.privacy.gate import trusted
    from radgen.text.tasks.protocol import recommend_protocol

    url, received = vendor
    backend = OpenAICompatibleBackend(url, "m", remote=True, audit=AuditLog(tmp_path / "a.sqlite"))
    clean = Deidentifier("redact")("Suspected PE in Jane Doe.")
    with pytest.raises(PrivacyError):  # a plain (user) passage beside de-identified input
        recommend_protocol(clean, backend, context=["Local note by Dr. Smith: CTPA first."])
    with pytest.raises(TypeError):  # radgen's own text cannot be faked
        type(trusted("x"))("Dr. Smith")
    assert received == []
