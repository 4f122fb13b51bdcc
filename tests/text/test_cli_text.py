"""The text and kb commands: single reports, batches with failures kept, clear errors."""

import json

from radgen.text.llm.models import MODELS


def test_extract_one_report(cli):
    code, out, err = cli("text", "extract", "--text", "Mild cardiomegaly. No effusion.", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["labels"] == ["Cardiomegaly"]
    assert {f["finding"]: f["presence"] for f in result["findings"]} == {
        "cardiomegaly": "present",
        "pleural_effusion": "absent",
    }


def test_batch_over_a_csv_column_keeps_every_row(cli, tmp_path):
    csv_path = tmp_path / "reports.csv"
    csv_path.write_text("uid,findings\n1,Mild cardiomegaly.\n2,\n3,Low lung volumes.\n")
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli(
        "text", "extract", "--csv", csv_path, "--column", "findings", "--out", out
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["ok"] for r in rows] == [True, False, True]  # the empty report is reported
    assert "empty" in rows[1]["error"] and "1 failed" in stdout


def test_structure_rules_from_jsonl(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "INDICATION: cough. FINDINGS: No pneumothorax."}) + "\n"
    )
    code, _, err = cli("text", "structure", "--jsonl", src, "--column", "text", "--method", "rules",
                       "--template", "XRAY_CHEST", "--out", tmp_path / "s.jsonl")  # fmt: skip
    assert code == 0, err
    row = json.loads((tmp_path / "s.jsonl").read_text())
    assert row["valid_json"] and row["fields"]["PNEUMOTHORAX"] == "No pneumothorax."


def test_non_utf8_input_and_missing_model_are_one_line_errors(cli, tmp_path):
    latin = tmp_path / "report.txt"
    latin.write_bytes("Épanchement pleural gauche.".encode("latin-1"))
    code, _, err = cli("text", "extract", "--input", latin)
    assert code == 2 and "not UTF-8" in err and "Traceback" not in err
    code, _, err = cli("text", "impression", "--text", "x", "--model", str(tmp_path / "none.gguf"))
    assert code == 2 and "model file not found" in err


def test_models_list_shows_the_registry(cli):
    code, out, _ = cli("models", "list")
    assert code == 0
    for name in MODELS:
        assert name[:12] in out


def test_kb_add_search_stats(cli, tmp_path):
    kb = tmp_path / "kb.sqlite"
    note = tmp_path / "note.md"
    note.write_text("# Notes\n\n## Renal colic\nNon-contrast CT of the abdomen and pelvis.\n")
    code, out, err = cli("kb", "add", note, "--starter", "--kb", kb)
    assert code == 0, err
    code, out, _ = cli("kb", "search", "kidney stone imaging", "-k", "3", "--kb", kb)
    assert code == 0 and "Renal colic" in out
    code, out, _ = cli("kb", "stats", "--kb", kb)
    assert code == 0 and "3 documents" in out
    code, _, err = cli("kb", "search", "x", "--kb", tmp_path / "empty.sqlite")
    assert code == 2 and "empty" in err


def test_empty_report_is_an_error_not_a_normal_study(cli):
    for text in ("", "   \n "):
        code, out, err = cli("text", "extract", "--text", text)
        assert code == 2 and "empty" in err and err.count("\n") == 1
        assert "normal" not in out
