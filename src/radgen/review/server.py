"""The review server: a FastAPI app over one project folder, a plain HTML and JavaScript page,
a token on every request, and files served only from inside the project's ``files/``.

No GPU and no frontend build: `radgen review serve --project DIR` on 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from radgen.errors import RadgenError
from radgen.review.store import QUEUES, Decision, ReviewStore


class DecisionIn(BaseModel):
    reviewer: str = Field(min_length=1, max_length=80)
    decision: Decision
    reason: str = Field(min_length=1, max_length=2000)
    edited_text: str | None = Field(None, max_length=200_000)


def safe_path(root: Path, relative: str) -> Path:
    """``relative`` inside ``root/files``, or an error: no traversal, no links out, no
    absolute paths."""
    base = (root / "files").resolve()
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise HTTPException(404, "not found")
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(404, "not found")
    return target


def _json(content: Any) -> Response:
    """Plain JSON from plain data: skips FastAPI's per-field response encoding, which cost
    more than the database work on a queue of a few hundred items."""
    return Response(json.dumps(content, separators=(",", ":")), media_type="application/json")


def create_app(project: str | Path, key_store: str | Path | None = None) -> FastAPI:
    """The app for one project; ``key_store`` lets a reviewer who holds it see the originals
    behind pseudonymised surrogates (never stored in the project)."""
    store = ReviewStore(project)
    keys = Path(key_store) if key_store is not None else None
    if keys is not None and not keys.is_file():
        raise RadgenError("key store not found", keys)
    app = FastAPI(title="radgen review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store

    async def authorised(request: Request) -> None:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() or request.query_params.get("token")
        if not store.check_token(token):
            raise HTTPException(401, "a valid token is needed (printed at the first start)")

    @app.exception_handler(RadgenError)
    async def _radgen_error(_: Request, exc: RadgenError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return (resources.files("radgen.review") / "page.html").read_text(encoding="utf-8")

    @app.get("/api/summary", dependencies=[Depends(authorised)])
    async def summary() -> Response:
        return _json({**store.counts(), "reviewers": store.reviewers(), "reveal": keys is not None})

    @app.get("/api/items", dependencies=[Depends(authorised)])
    async def items(
        queue: str | None = None, flag: str | None = None, status: str | None = None
    ) -> Response:
        if queue and queue not in QUEUES:
            raise HTTPException(400, f"unknown queue '{queue}'")
        return Response(store.summaries_json(queue, flag, status), media_type="application/json")

    @app.get("/api/items/{item_id}", dependencies=[Depends(authorised)])
    async def item(item_id: int) -> Response:
        try:
            return _json(store.item(item_id))
        except RadgenError as err:
            raise HTTPException(404, str(err)) from err

    @app.post("/api/items/{item_id}/decisions", dependencies=[Depends(authorised)])
    async def decide(item_id: int, body: DecisionIn) -> Response:
        try:
            decision_id = store.decide(
                item_id, body.reviewer, body.decision, body.reason, body.edited_text
            )
        except RadgenError as err:
            raise HTTPException(404 if "no item" in str(err) else 400, str(err)) from err
        return _json({"id": decision_id, "item_id": item_id, "status": body.decision})

    @app.get("/api/items/{item_id}/array/{name}", dependencies=[Depends(authorised)])
    def array(item_id: int, name: str) -> dict[str, Any]:
        arrays = store.item(item_id)["payload"].get("arrays", {})
        if name not in arrays:
            raise HTTPException(404, "not found")
        a = np.load(safe_path(store.root, arrays[name].removeprefix("files/")))
        return {
            "shape": list(a.shape),
            "min": float(a.min()),
            "max": float(a.max()),
            "values": np.round(a, 2).ravel().tolist(),
        }

    @app.get("/api/reveal", dependencies=[Depends(authorised)])
    def reveal(surrogate: str = Query(..., max_length=200)) -> dict[str, Any]:
        if keys is None:
            raise HTTPException(403, "start the server with --key-store to see originals")
        from radgen.privacy.keystore import KeyStore

        store_ = KeyStore(keys)  # per request: SQLite connections belong to one thread
        try:
            found = store_.lookup(surrogate)
        finally:
            store_.close()
        return {"originals": [{"category": c, "original": o} for c, o in found]}

    @app.get("/files/{relative:path}", dependencies=[Depends(authorised)])
    async def files(relative: str) -> FileResponse:
        return FileResponse(safe_path(store.root, relative))

    def _table(rows: list[dict[str, Any]], fmt: str, name: str) -> Response:
        if fmt == "json":
            return Response(
                json.dumps(rows, indent=1),
                media_type="application/json",
                headers={"Content-Disposition": f"attachment; filename={name}.json"},
            )
        if fmt != "csv":
            raise HTTPException(400, "format is csv or json")
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(
                {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in r.items()}
                for r in rows
            )
        return Response(
            buf.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )

    @app.get("/api/export/decisions", dependencies=[Depends(authorised)])
    def export_decisions(format: str = "csv") -> Response:
        return _table(store.decisions(), format, "decisions")

    @app.get("/api/export/accepted", dependencies=[Depends(authorised)])
    def export_accepted(format: str = "csv") -> Response:
        rows = [
            {
                "id": i["id"],
                "queue": i["queue"],
                "title": i["title"],
                "status": i["status"],
                "reviewer": i["last_decision"]["reviewer"],
                "reason": i["last_decision"]["reason"],
                "edited_text": i["last_decision"]["edited_text"],
                "payload": i["payload"],
            }
            for i in store.accepted()
        ]
        return _table(rows, format, "accepted")

    return app
