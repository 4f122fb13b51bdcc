"""Backends: the OpenAI-compatible client against a local server, llama.cpp errors,
streaming, token counting and the context-window check."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from radgen.errors import RadgenError
from radgen.text.llm.fake import FakeBackend
from radgen.text.llm.llamacpp import LlamaCppBackend
from radgen.text.llm.models import MODELS, resolve_model
from radgen.text.llm.openai_http import OpenAICompatibleBackend


@pytest.fixture
def server():
    """An OpenAI-compatible server: JSON replies, or server-sent events when streaming."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in ["No ", "acute ", "disease."]:
                    chunk = {"choices": [{"delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                return
            content = '{"modality": "CT"}' if "response_format" in body else "hello"
            data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
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


def test_openai_client_chat_schema_and_stream(server):
    url, received = server
    backend = OpenAICompatibleBackend(url, "local")
    assert backend.generate("hi") == "hello"
    schema = {"type": "object", "properties": {"modality": {"type": "string"}}}
    out = backend.chat([{"role": "user", "content": "x"}], json_schema=schema)
    assert json.loads(out) == {"modality": "CT"}
    assert received[1]["response_format"]["json_schema"]["schema"] == schema
    assert received[1]["temperature"] == 0.0
    assert "".join(backend.stream([{"role": "user", "content": "x"}])) == "No acute disease."


def test_openai_client_unreachable_server_is_clear():
    backend = OpenAICompatibleBackend("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(RadgenError, match="did not answer"):
        backend.generate("hi")


def test_oversized_input_is_refused_with_the_numbers():
    fake = FakeBackend(["ok"], context_length=50)
    with pytest.raises(RadgenError, match=r"input too long.*at most 50"):
        fake.generate("word " * 100)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(RadgenError, match="model file not found"):
        LlamaCppBackend(str(tmp_path / "absent.gguf"))
    with pytest.raises(RadgenError, match="unknown model"):
        resolve_model("gpt-17")


def test_registry_models_resolve_to_gguf_files():
    path = resolve_model("qwen2.5-coder-0.5b")
    assert path.read_bytes()[:4] == b"GGUF"
    assert path.stat().st_size > 400e6
    assert MODELS["qwen2.5-coder-0.5b"].license.startswith("Apache")


def test_llamacpp_counts_tokens_and_streams(small_llm):
    assert 3 <= small_llm.count_tokens("No acute cardiopulmonary abnormality.") <= 12
    pieces = list(small_llm.stream([{"role": "user", "content": "Say OK."}], max_tokens=8))
    assert pieces and "".join(pieces).strip()


def test_transformers_backend_plumbing_with_a_tiny_local_model(tmp_path):
    """No HF-format instruct model ships offline here, so this checks the backend's plumbing
    (local loading, generation, streaming, token counting) on a tiny random-weight model."""
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from radgen.text.llm.transformers_hf import TransformersBackend
    from radgen.text.rag.embeddings import default_model_path

    tokenizer = AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)
    config = GPT2Config(
        vocab_size=tokenizer.vocab_size, n_embd=32, n_layer=1, n_head=2, n_positions=256
    )
    GPT2LMHeadModel(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    backend = TransformersBackend(tmp_path)
    assert backend.context_length == 256 and not backend.is_remote
    assert isinstance(backend.generate("No effusion.", max_tokens=4), str)
    assert 3 <= backend.count_tokens("no pleural effusion") <= 8
    assert isinstance(
        "".join(backend.stream([{"role": "user", "content": "hi"}], max_tokens=3)), str
    )
    with pytest.raises(RadgenError, match="input too long"):
        backend.generate("word " * 300)
    with pytest.raises(RadgenError, match=r"no config\.json"):
        TransformersBackend(tmp_path / "missing")
