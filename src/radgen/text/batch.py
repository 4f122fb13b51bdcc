"""Batch text jobs (extract, de-identify, structure) over many reports: in this process, or
mapped over a Ray Data dataset with one model per worker. Results stream to JSONL as they
finish; a worker that dies is restarted and its batch retried, and each report is written
exactly once (a rerun with ``resume`` skips the ones already on disk).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from radgen.errors import RadgenError

TaskName = Literal["extract", "deid", "structure"]
TASKS: tuple[str, ...] = ("extract", "deid", "structure")


def make_task(name: TaskName, method: str = "rules") -> Callable[[str], dict[str, Any]]:
    """The per-report function (models are loaded once, here)."""
    if name == "extract":
        from radgen.text.extract.rules import report_labels
        from radgen.text.tasks.extract import extract

        if method != "rules":
            raise RadgenError("batch extraction runs the rules; `radgen text extract` runs llm")

        def run(text: str) -> dict[str, Any]:
            result = extract(text, "rules")
            return {
                "labels": sorted(report_labels(result.findings)),
                "findings": [f.model_dump(exclude_none=True) for f in result.findings],
            }

        return run
    if name == "deid":
        from radgen.privacy.deid import Deidentifier

        deid = Deidentifier("redact").load()

        def run(text: str) -> dict[str, Any]:
            r = deid.deidentify(text)
            return {"text": str(r.text), "phi_spans": len(r.spans)}

        return run
    if name == "structure":
        from radgen.text.tasks.structure import structure_report

        def run(text: str) -> dict[str, Any]:
            s = structure_report(text, "rules")
            return {"template": s.template, "fields": s.fields, "unassigned": s.unassigned}

        return run
    raise RadgenError(f"unknown batch task '{name}'; choose one of {list(TASKS)}")


def _record(item_id: str, text: str, run: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    try:
        return {"id": item_id, "ok": True, **run(text)}
    except RadgenError as err:
        return {"id": item_id, "ok": False, "error": str(err)}


def done_ids(out: Path) -> set[str]:
    """Ids already written (a resumed job skips them); a torn last line is ignored."""
    if not out.exists():
        return set()
    ids = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return ids


class JSONLWriter:
    """Appends records as they finish, flushed each time; writes an id at most once."""

    def __init__(self, out: Path, resume: bool) -> None:
        self.seen = done_ids(out) if resume else set()
        if not resume and out.exists():
            out.unlink()
        self._repair(out)
        self.fh = out.open("a", encoding="utf-8")
        self.written = self.failed = 0

    @staticmethod
    def _repair(out: Path) -> None:
        """Drop a half-written last line left by a crash, so appends start on a new line."""
        if out.exists():
            data = out.read_bytes()
            if data and not data.endswith(b"\n"):
                out.write_bytes(data[: data.rfind(b"\n") + 1])

    def write(self, record: dict[str, Any]) -> None:
        if record["id"] in self.seen:
            return
        self.seen.add(record["id"])
        self.fh.write(json.dumps(record) + "\n")
        self.fh.flush()
        self.written += 1
        self.failed += not record["ok"]

    def close(self) -> None:
        self.fh.close()


def run_local(
    items: list[tuple[str, str]],
    run: Callable[[str], dict[str, Any]],
    out: Path,
    *,
    resume: bool = False,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> dict[str, int]:
    """``run`` on every report in this process, in order (any task: rules or a model)."""
    writer = JSONLWriter(out, resume)
    todo = [(i, t) for i, t in items if i not in writer.seen]
    try:
        for item_id, text in progress(todo) if progress else todo:
            writer.write(_record(item_id, text, run))
    finally:
        writer.close()
    return _summary(items, todo, writer)


def _summary(items: list, todo: list, writer: JSONLWriter) -> dict[str, int]:
    """What a batch run did: items asked for, written, failed, and skipped as already done."""
    return {
        "items": len(items),
        "written": writer.written,
        "failed": writer.failed,
        "skipped": len(items) - len(todo),
    }


class _RayWorker:
    """One per Ray worker: loads the model once, maps batches of reports."""

    def __init__(self, task: TaskName, method: str, crash_marker: str | None = None) -> None:
        self.run = make_task(task, method)
        self.crash_marker = crash_marker

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        _maybe_crash(list(batch["id"]), self.crash_marker)
        records = [
            _record(str(i), str(t), self.run)
            for i, t in zip(batch["id"], batch["text"], strict=True)
        ]
        return {"record": [json.dumps(r) for r in records]}


def _maybe_crash(ids: list[str], marker: str | None) -> None:
    """Fault injection for tests and the benchmark: with RADGEN_RAY_CRASH_ONCE=FILE set for
    the job, the worker process is killed (os._exit) the first time a batch holding the id
    written in FILE arrives; Ray restarts it and retries the batch."""
    import os

    if not marker or not Path(marker).exists():
        return
    target = Path(marker).read_text().strip()
    if target in ids:
        Path(marker).unlink(missing_ok=True)
        os._exit(1)


def run_ray(
    items: list[tuple[str, str]],
    task: TaskName,
    out: Path,
    *,
    workers: int = 2,
    method: str = "rules",
    resume: bool = False,
    batch_size: int = 16,
    progress: Callable[[Iterator], Iterator] | None = None,
) -> dict[str, int]:
    """Map the task over a Ray Data dataset with ``workers`` actors (a local cluster unless
    one is running); each worker restarts up to 3 times and failed batches are retried."""
    try:
        import ray
    except ImportError as err:
        raise RadgenError("--ray needs Ray: pip install 'ray[data]'") from err
    writer = JSONLWriter(out, resume)
    todo = [{"id": i, "text": t} for i, t in items if i not in writer.seen]
    try:
        if todo:
            if not ray.is_initialized():
                ray.init(
                    num_cpus=max(workers, 1),
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            import os

            ds = ray.data.from_items(todo).map_batches(
                _RayWorker,
                fn_constructor_args=(task, method, os.environ.get("RADGEN_RAY_CRASH_ONCE")),
                batch_size=batch_size,
                concurrency=workers,
                num_cpus=1,
                ray_remote_args_fn=lambda: {"max_restarts": 3, "max_task_retries": 3},
            )
            rows = ds.iter_rows()
            for row in progress(rows) if progress else rows:
                writer.write(json.loads(row["record"]))
    finally:
        writer.close()
    return _summary(items, todo, writer)
