"""Real PHI-free report templates written by UK radiologists (github.com/mdvthu/report-templates,
Apache-2.0): a development set for the de-identifier's over-redaction (#13).

The bundled 61 templates are ``bench_deid``'s held-out clean-text check and are never read.
The model-written development templates (``write_clean_templates.py``) stopped predicting
them: 3 of 39 of those were flagged while 24.6% of the held-out ones were. These templates are
real radiology text (pick lists "[RIGHT|LEFT]", drug names and doses, guideline names), written
by people, not by radgen's author or model. Before the fixes they were examined for, 18 of 33
had something redacted.

Each YAML template is rendered the way the repository's own ``templates/report.txt`` renders it
(technique, comparison, one "SECTION:" block per section, impression; no title), and each
example text is taken as written. SPDX headers are dropped from the text and kept as the row's
``copyright``.

    .venv/bin/python benchmarks/import_clean_templates_mdvthu.py PATH_TO_A_CLONE

Writes ``data/clean_templates_mdvthu.jsonl`` and ``data/clean_templates_mdvthu.meta.json``; the
licence is ``data/clean_templates_mdvthu.LICENSE`` (Apache-2.0, copied from the repository).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
from pathlib import Path

import yaml

from common import ROOT

SOURCE = "https://github.com/mdvthu/report-templates"
_SPDX = re.compile(r"^\s*(?:#\s*)?SPDX-FileCopyrightText:\s*(.+?)\s*$", re.M)


def _copyright(text: str) -> list[str]:
    return _SPDX.findall(text)


def render_yaml(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    lines = []
    if data.get("technique"):
        lines.append(f"Technique: {data['technique']}.")
    lines += ["Comparison: [].", "Findings:"]
    report = data.get("report")
    if isinstance(report, str):
        lines.append(report)
    else:
        for section in report or []:
            lines.append(f"{section['section'].upper()}:\n{section['content']}")
    lines.append(f"Impression: [{data.get('summary') or ''}].")
    return {"name": path.stem, "copyright": _copyright(raw), "text": "\n".join(lines)}


def read_example(path: Path) -> dict:
    licence = path.with_name(path.name + ".license")
    holders = _copyright(licence.read_text(encoding="utf-8")) if licence.exists() else []
    return {"name": path.stem, "copyright": holders, "text": path.read_text(encoding="utf-8")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("clone", type=Path, help="a local clone of " + SOURCE)
    args = parser.parse_args()
    root = args.clone
    if not (root / "yaml").is_dir():
        raise SystemExit(f"error: {root} holds no yaml/ folder; is it a clone of {SOURCE}?")
    rows = [render_yaml(p) for p in sorted((root / "yaml").glob("*.yaml"))]
    rows += [read_example(p) for p in sorted((root / "examples").glob("*.txt"))]
    data = ROOT / "data"
    out = data / "clean_templates_mdvthu.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    meta = {
        "source": SOURCE,
        "commit": commit or None,
        "licence": "Apache-2.0 (see clean_templates_mdvthu.LICENSE)",
        "rendering": "YAML templates as the repository's templates/report.txt renders them,"
        " without its signature; examples as written",
        "rows": len(rows),
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    (data / "clean_templates_mdvthu.meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    licence = root / "LICENSES" / "Apache-2.0.txt"
    (data / "clean_templates_mdvthu.LICENSE").write_text(licence.read_text(encoding="utf-8"))
    print(f"{len(rows)} templates -> {out}")


if __name__ == "__main__":
    main()
