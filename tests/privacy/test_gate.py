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
