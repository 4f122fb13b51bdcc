"""The grounding guard catches each perturbation type and leaves faithful text alone."""

import json

import pytest

from radgen.text.grounding import GroundingGuard

SOURCE = (
    "Mild cardiomegaly. No pleural effusion or pneumothorax. Small left basilar atelectasis. "
    "6 mm calcified granuloma in the right upper lobe. Degenerative changes of the thoracic spine."
)


@pytest.fixture(scope="module")
def guard(embedder):
    return GroundingGuard(embedder)


@pytest.mark.parametrize(
    ("generated", "verdict", "reason"),
    [
        (
            "There is a small pleural effusion.",
            "contradicted",
            "present here, absent",
        ),  # negation flip
        ("Mild cardiomegaly is not seen.", "contradicted", "absent here, present"),  # negation flip
        (
            "Right lower lobe consolidation.",
            "unsupported",
            "never mentions",
        ),  # absent finding inserted
        ("Small right basilar atelectasis.", "contradicted", "right here, left"),  # laterality swap
        (
            "9 mm calcified granuloma in the right upper lobe.",
            "contradicted",
            "9",
        ),  # measurement change
        ("Severe cardiomegaly.", "contradicted", "severe here, mild"),  # severity change
        (
            "Possible mild cardiomegaly.",
            "contradicted",
            "uncertain here, present",
        ),  # certainty change
    ],
)
def test_each_perturbation_is_caught(guard, generated, verdict, reason):
    statement = guard.check(SOURCE, generated).statements[0]
    assert statement.verdict == verdict
    assert any(reason in r for r in statement.reasons), statement.reasons


def test_faithful_paraphrase_is_not_flagged(guard):
    faithful = (
        "The heart is mildly enlarged. There is small atelectasis at the left base. "
        "No pneumothorax or pleural effusion. A 6 mm calcified granuloma is seen in the right upper lobe."
    )
    report = guard.check(SOURCE, faithful)
    assert report.flagged == [], [(s.text, s.reasons) for s in report.flagged]
    assert report.statements[0].evidence == "Mild cardiomegaly."


def test_structured_json_output_is_checked_field_by_field(guard):
    structured = {"FINDINGS": {"CARDIOMEGALY": "Mild cardiomegaly.", "PNEUMOTHORAX": "Right pneumothorax.",
                               "EDEMA": "Not mentioned."}}  # fmt: skip
    report = guard.check(SOURCE, json.dumps(structured))
    assert [s.verdict for s in report.statements] == ["supported", "contradicted"]


def test_cli_check_colours_and_exit_code(cli, tmp_path):
    (tmp_path / "src.txt").write_text(SOURCE)
    (tmp_path / "ok.txt").write_text("Mild cardiomegaly. No pneumothorax.")
    (tmp_path / "bad.txt").write_text("Severe cardiomegaly.")
    code, out, _ = cli(
        "text", "check", "--source", tmp_path / "src.txt", "--output", tmp_path / "ok.txt"
    )
    assert code == 0 and "0 flagged" in out
    code, out, _ = cli(
        "text",
        "check",
        "--source",
        tmp_path / "src.txt",
        "--output",
        tmp_path / "bad.txt",
        "--json",
    )
    assert code == 1 and json.loads(out)["counts"]["contradicted"] == 1


@pytest.mark.parametrize(
    ("source", "claim", "faithful"),
    [
        ("No active disease.", "There is active disease.", "No active disease is seen."),
        (
            "No mediastinal widening.",
            "There is mediastinal widening.",
            "The mediastinum is not widened.",
        ),
        ("No acute findings.", "There is acute findings.", "No acute findings."),
        ("No active disease.", "Interval appearance of active disease.", "No active disease."),
        ("The effusion has resolved.", "The effusion persists.", "The effusion has resolved."),
        ("Pneumothorax is absent.", "Pneumothorax is present.", "No pneumothorax."),
        (
            "No acute osseous abnormality.",
            "Acute osseous abnormality has developed.",
            "No acute osseous abnormality.",
        ),
    ],
)
def test_a_claim_the_source_negates_is_contradicted(source, claim, faithful):
    guard = GroundingGuard()
    assert guard.check(source, claim).statements[0].verdict == "contradicted"
    assert guard.check(source, faithful).statements[0].verdict != "contradicted"


def test_absence_without_a_negation_word_is_a_change_of_meaning(guard):
    source = "Right subcutaneous emphysema is present. The lungs are clear."
    flagged = guard.check(source, "Right subcutaneous emphysema has cleared.").statements[0]
    assert flagged.verdict == "contradicted", flagged.reasons
    kept = guard.check(source, "Subcutaneous emphysema on the right is present.").statements[0]
    assert kept.verdict == "supported", kept.reasons


def test_a_dropped_severity_is_a_change_of_meaning():
    guard = GroundingGuard()
    source = "The heart is mildly enlarged. Moderate right pleural effusion."
    dropped = guard.check(source, "The heart is enlarged.").statements[0]
    assert dropped.verdict == "contradicted" and "dropped" in " ".join(dropped.reasons)
    kept = guard.check(source, "The heart is mildly enlarged.").statements[0]
    assert kept.verdict == "supported"


def test_negated_in_one_place_and_affirmed_in_another_is_not_a_contradiction():
    guard = GroundingGuard()
    source = "No pleural effusion on the left. Small right pleural effusion."
    out = guard.check(source, "Small right pleural effusion.").statements[0]
    assert out.verdict == "supported"


@pytest.mark.parametrize(
    ("source", "changed", "faithful", "reason"),
    [
        (
            "Opacity at the left base which may represent atelectasis.",
            "Opacity at the left base which represents atelectasis.",
            "Opacity at the left base that may represent atelectasis.",
            "certainty",
        ),
        (
            "Mildly tortuous thoracic aorta.",
            "Tortuous thoracic aorta.",
            "The thoracic aorta is mildly tortuous.",
            "severity",
        ),
        (  # one of two hedges dropped
            "Left basilar opacity, probably atelectasis, could be pneumonia.",
            "Left basilar opacity, atelectasis, could be pneumonia.",
            "Left basilar opacity, probably atelectasis, might be pneumonia.",
            "certainty",
        ),
        (
            "Stable lingular nodule, presumably a granuloma.",
            "Stable lingular nodule, a granuloma.",
            "Stable lingular nodule, presumably a granuloma.",
            "certainty",
        ),
        (
            "There are significant degenerative changes of the thoracic spine.",
            "There are degenerative changes of the thoracic spine.",
            "Significant degenerative changes of the thoracic spine are present.",
            "severity",
        ),
    ],
)
def test_a_paraphrase_keeps_its_hedge_and_severity(guard, source, changed, faithful, reason):
    flagged = guard.check(source, changed).statements[0]
    assert flagged.verdict == "contradicted" and reason in " ".join(flagged.reasons)
    kept = guard.check(source, faithful).statements[0]
    assert kept.verdict == "supported", kept.reasons


def test_a_global_negative_summary_is_judged_against_the_source_s_acute_findings():
    """'No acute cardiopulmonary disease.' names no finding: it holds when the source states
    no acute finding (chronic ones do not count) and is contradicted when it does; a scoped
    negative ('No acute bony abnormality.') is not read as global."""
    from radgen.text.grounding.guard import GroundingGuard

    guard = GroundingGuard()
    chronic = "Calcified granuloma in the right upper lobe. Degenerative changes of the spine."
    assert not guard.check(chronic, "No acute cardiopulmonary disease.").flagged
    assert not guard.check(chronic, "1. No active disease. 2. Calcified granuloma.").flagged
    acute = "Small right pleural effusion. Heart size normal."
    report = guard.check(acute, "No acute cardiopulmonary abnormality.")
    assert report.flagged and report.flagged[0].verdict == "contradicted"
    assert "pleural effusion" in report.flagged[0].reasons[0]
    possible = guard.check("Possible left basilar pneumonia.", "No acute disease.")
    assert possible.flagged
    from radgen.text.grounding.guard import GLOBAL_NEGATIVE

    assert not GLOBAL_NEGATIVE.match("No acute bony abnormality.")


def test_list_markers_are_not_statements_but_decimals_stay():
    from radgen.text.grounding.guard import GroundingGuard

    guard = GroundingGuard()
    source = "There is a 2.5 cm nodule in the right upper lobe. No pleural effusion."
    assert not guard.check(source, "1. 2.5 cm right upper lobe nodule.").flagged
    assert guard.check(source, "1. 3.5 cm right upper lobe nodule.").flagged
