"""Shared fixtures: real DICOM from pydicom-data, real volumes bundled in the package, and the
developers' ../shared/data for the few tests marked ``needs_shared_data``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from radgen.cli.main import main
from radgen.data import bundled_asset, shared_data_available, shared_data_dir

SHARED_REASON = (
    "needs the developers' ../shared/data (not on a user's machine; set RADGEN_SHARED_DATA)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``needs_shared_data`` tests, with one reason, when ../shared/data is absent."""
    if shared_data_available():
        return
    skip = pytest.mark.skip(reason=SHARED_REASON)
    for item in items:
        if "needs_shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def dicom_dir() -> Path:
    """pydicom-data's folder of real DICOM files (CT, MR, CR, US...)."""
    import data_store

    return Path(data_store.__file__).parent / "data"


@pytest.fixture(scope="session")
def bundled() -> Path:
    """Real volumes shipped in the package: ``mni152/`` (2 mm T1, T2, mask) and ``ct/``."""
    return bundled_asset("")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The developers' shared data; only for tests marked ``needs_shared_data``."""
    if not shared_data_available():
        pytest.skip(SHARED_REASON)
    return shared_data_dir()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``radgen ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _instance(schema: dict, defs: dict | None = None):
    """A minimal value that satisfies a JSON schema (what a well-behaved server returns)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return _instance(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return _instance(schema["anyOf"][0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: _instance(v, defs) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", [])}  # fmt: skip
    if kind == "array":
        return [_instance(schema["items"], defs)] * schema.get("minItems", 0)
    return {"string": "within normal limits", "boolean": False, "integer": 0, "number": 0}.get(kind)


@pytest.fixture
def vendor():
    """An OpenAI-compatible server on loopback (a stand-in for Ollama, vLLM or a vendor): JSON
    requests get valid JSON for their schema, others a sentence; every request is recorded."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            fmt = body.get("response_format")
            if fmt:
                content = json.dumps(_instance(fmt["json_schema"]["schema"]))
            else:
                content = "The heart is mildly enlarged [1]."
            data = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": content}}]}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1", received
    httpd.shutdown()
