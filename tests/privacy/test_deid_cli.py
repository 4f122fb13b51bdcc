"""``radgen deid`` on files, folders and CSV columns, and its errors for bad input."""

import csv

import pydicom


def test_text_file_and_csv_column(cli, tmp_path):
    (tmp_path / "r.txt").write_text("Dr. Olga Petrenko reviewed on 02/03/2021.", encoding="utf-8")
    code, _out, err = cli("deid", "text", tmp_path / "r.txt", tmp_path / "r_out.txt")
    assert code == 0, err
    assert (tmp_path / "r_out.txt").read_text() == "Dr. [NAME] reviewed on [DATE]."
    rows = [{"uid": "1", "findings": "Seen by Dr. Olga Petrenko.", "impression": "Normal."}]
    with (tmp_path / "r.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["uid", "findings", "impression"])
        writer.writeheader()
        writer.writerows(rows)
    key = tmp_path / "keys" / "k.sqlite"
    code, _, err = cli(
        "deid", "text", tmp_path / "r.csv", tmp_path / "o.csv", "--column", "findings",
        "--mode", "pseudonymize", "--key-store", key,
    )  # fmt: skip
    assert code == 0, err
    row = next(csv.DictReader((tmp_path / "o.csv").open()))
    assert "Petrenko" not in row["findings"] and row["impression"] == "Normal."
    assert key.exists()


def test_dicom_folder(cli, dicom_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("693_UNCI.dcm", "US1_UNCI.dcm"):
        (src / name).write_bytes((dicom_dir / name).read_bytes())
    code, _out, err = cli(
        "deid", "dicom", src, tmp_path / "out", "--key-store", tmp_path / "k.sqlite"
    )
    assert code == 0, err
    assert pydicom.dcmread(tmp_path / "out" / "693_UNCI.dcm").PatientIdentityRemoved == "YES"
    assert (tmp_path / "out" / "pixel_review.json").exists()


def test_bad_inputs_give_one_clear_line(cli, tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.txt").write_bytes("Befund: Herz unauffällig".encode("latin-1"))
    (tmp_path / "e.csv").write_text("uid,findings\n1,\n2,\n")
    for args, message in (
        (("text", tmp_path / "bin.txt", tmp_path / "o1.txt"), "binary"),
        (("text", tmp_path / "latin.txt", tmp_path / "o2.txt"), "not UTF-8"),
        (("text", tmp_path / "e.csv", tmp_path / "o3.csv", "--column", "findings"), "empty"),
        (("text", tmp_path / "e.csv", tmp_path / "o4.csv", "--column", "report"), "no column"),
    ):
        code, _, err = cli("deid", *args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_the_command_and_the_api_share_one_config(cli, tmp_path):
    from radgen.privacy.config import DeidTextConfig, TaggerTrainConfig
    from radgen.privacy.deid_files import deidentify_reports

    (tmp_path / "r.txt").write_text("Seen by Dr. Olga Petrenko.", encoding="utf-8")
    code, _, err = cli("deid", "text", tmp_path / "r.txt", tmp_path / "o.txt", "--mode", "redactt")
    assert code == 2 and "mode" in err and len(err.strip().splitlines()) == 1, err
    config = DeidTextConfig(src=str(tmp_path / "r.txt"), dst=str(tmp_path / "api.txt"))
    summary = deidentify_reports(config, progress=False)
    assert summary.spans == 1 and summary.outputs == 1 and summary.key_store is None
    assert (tmp_path / "api.txt").read_text() == "Seen by Dr. [NAME]."
    assert DeidTextConfig(src="a", dst="b", column="findings, impression").column == [
        "findings",
        "impression",
    ]
    assert TaggerTrainConfig(out="x", steps=None).steps == 1500  # no budget: the shipped one
    assert TaggerTrainConfig(out="x", steps=None, minutes=2).steps is None
