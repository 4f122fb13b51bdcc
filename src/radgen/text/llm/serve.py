"""``radgen models serve``: an OpenAI-compatible server over an installed GGUF, on loopback by
default, for any client (including radgen's own ``--backend openai``).

Two engines: ``xllamacpp`` (llama.cpp's own server, a prebuilt wheel: no compiler, seconds to
install) and ``llama-cpp-python`` (its server extra, on the wheel radgen builds anyway).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from radgen.errors import RadgenError

Engine = Literal["xllamacpp", "llama-cpp-python"]


def serve_xllamacpp(
    gguf: Path, host: str, port: int, threads: int, ctx: int, mmproj: Path | None = None
) -> None:
    """llama.cpp's HTTP server in this process (blocks until stopped); ``mmproj`` adds the
    vision projector of a multimodal GGUF (a VLM the user has)."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise RadgenError("engine xllamacpp needs the package: pip install xllamacpp")
    import xllamacpp as xl

    params = xl.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = ctx
    params.hostnames = [host]
    params.port = port
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    if mmproj is not None:
        params.mmproj.path = str(mmproj)
    server = xl.Server(params)
    import time

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        del server


def serve_llama_cpp_python(gguf: Path, host: str, port: int, threads: int, ctx: int) -> None:
    """llama-cpp-python's server (its ``server`` extra: starlette-context, sse-starlette,
    pydantic-settings) under uvicorn (blocks until stopped)."""
    try:
        import uvicorn
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as err:
        raise RadgenError(
            "engine llama-cpp-python needs its server extra:"
            " pip install sse-starlette starlette-context pydantic-settings"
        ) from err
    app = create_app(
        server_settings=ServerSettings(host=host, port=port),
        model_settings=[
            ModelSettings(model=str(gguf), n_ctx=ctx, n_threads=threads, verbose=False)
        ],
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(
    model: str,
    engine: Engine,
    host: str,
    port: int,
    threads: int,
    ctx: int,
    mmproj: Path | None = None,
) -> None:
    from radgen.text.llm.models import resolve_model

    gguf = resolve_model(model)
    if mmproj is not None and not Path(mmproj).is_file():
        raise RadgenError("mmproj file not found", mmproj)
    if engine == "xllamacpp":
        serve_xllamacpp(gguf, host, port, threads, ctx, mmproj)
    elif mmproj is not None:
        raise RadgenError("--mmproj (a vision model) needs --engine xllamacpp")
    elif engine == "llama-cpp-python":
        serve_llama_cpp_python(gguf, host, port, threads, ctx)
    else:
        raise RadgenError(f"unknown engine '{engine}'; choose xllamacpp or llama-cpp-python")
