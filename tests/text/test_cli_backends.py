"""Any language-model server from the CLI: --backend/--base-url/--api-key and radgen.toml,
with inputs de-identified before they reach a remote backend."""

import json

PHI_REPORT = "Patient: KOWALCZYK, AGNIESZKA MRN 47-318-902. FINDINGS: Mildly enlarged heart."


def test_openai_backend_from_the_command_line(cli, vendor):
    url, received = vendor
    code, out, err = cli("text", "impression", "--backend", "openai", "--base-url", url,
                         "--model", "served-model", "--text", "Mildly enlarged heart.")  # fmt: skip
    assert code == 0, err
    assert "mildly enlarged" in out.lower()
    assert received and received[-1]["model"] == "served-model"


def test_config_file_and_remote_deidentification(cli, vendor, tmp_path, monkeypatch):
    url, received = vendor
    config = tmp_path / "radgen.toml"
    config.write_text(
        f'[llm]\nbackend = "openai"\nbase_url = "{url}"\nmodel = "m"\nremote = true\n'
    )
    monkeypatch.setenv("RADGEN_CONFIG", str(config))
    monkeypatch.setenv("RADGEN_AUDIT_LOG", str(tmp_path / "audit.sqlite"))
    code, out, err = cli(
        "text", "extract", "--method", "llm", "--text", PHI_REPORT, "--api-key", "s3cr3t-key"
    )
    assert code == 0, err
    sent = json.dumps(received)
    assert received and "KOWALCZYK" not in sent and "47-318-902" not in sent
    assert "de-identified" in out and "s3cr3t-key" not in out + err


def test_backend_errors_are_one_line(cli, tmp_path, monkeypatch):
    code, _, err = cli("text", "impression", "--backend", "magic", "--text", "x")
    assert code == 2 and "backend" in err and err.count("\n") == 1
    code, _, err = cli("text", "impression", "--backend", "openai", "--text", "x")
    assert code == 2 and "--base-url" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[llm]\napi_key = "oops"\n')
    monkeypatch.setenv("RADGEN_CONFIG", str(bad))
    code, _, err = cli("text", "impression", "--text", "x")
    assert code == 2 and "API keys" in err
