"""Template choice by modality and region (in the languages radiologists write titles in),
and routing of sentences to fields by the finding the rule extractor recognises."""

import json

import pytest

from radgen.text.tasks.structure import structure_rules
from radgen.text.tasks.templates import choose_template_detail, load_templates


@pytest.mark.parametrize(
    ("report", "template"),
    [
        ("CHEST X-RAY PA AND LATERAL\nNo acute disease.", "XRAY_CHEST"),
        ("The heart is normal in size. The lungs are clear.", "XRAY_CHEST"),
        ("X-ray left wrist\nNo scaphoid fracture.", "XRAY_WRIST"),
        ("CT CHEST\n5 mm nodule in the right upper lobe.", "CT_CHEST"),
        ("CT HEAD WITHOUT CONTRAST\nNo acute intracranial hemorrhage.", "CT_HEAD_WITHOUT_CONTRAST"),
        (
            "TDM CÉRÉBRALE sans injection\nPas d'hémorragie intracrânienne.",
            "CT_HEAD_WITHOUT_CONTRAST",
        ),
        ("TDM ABDOMINO-PELVIENNE\nFoie normal. Vessie normale.", "CT_ABDOMEN_AND_PELVIS"),
        ("TDM des sinus\nComblement du sinus maxillaire droit.", "CT_SINUS"),
        ("IRM CÉRÉBRALE\nPas d'anomalie de la substance blanche.", "MR_ADULT_BRAIN"),
        ("IRM ABDOMINALE\nFoie sans lésion focale. Pancréas normal.", "MR_ABDOMEN"),
        ("MRT Knie links\nInnenmeniskus Hinterhorn Riss.", "MR_KNEE"),
        ("RM de hombro\nRotura del supraespinoso.", "MR_SHOULDER"),
        ("MRI PROSTATE\nPI-RADS 4 lesion in the left peripheral zone.", "MR_PROSTATE"),
        ("CT ANGIOGRAPHY HEAD AND NECK\nNo stenosis.", "CT_ANGIOGRAPHY_HEAD_AND_NECK"),
    ],
)
def test_template_matches_modality_and_region(report, template):
    choice = choose_template_detail(report)
    assert choice.name == template and choice.fits, choice


@pytest.mark.parametrize(
    ("report", "modality", "region"),
    [
        ("IRM CÉRÉBRALE\nCéphalées. Pas d'anomalie.", "MR", "head"),
        ("IRM ABDOMINALE\nReins normaux.", "MR", "abdomen"),
        ("TDM ABDOMINO-PELVIENNE\nAppendice normal.", "CT", "abdomen"),
        ("Scanner cérébral\nPas d'hémorragie.", "CT", "head"),
        ("EXAMINATION: MRI LUMBAR SPINE\nL4-L5 disc herniation.", "MR", "spine"),
    ],
)
def test_never_across_modality_or_region_when_one_fits(report, modality, region):
    choice = choose_template_detail(report)
    assert choice.name.split("_")[0] == modality and choice.region == region and choice.fits


def test_says_so_when_no_template_fits():
    us = choose_template_detail("ÉCHOGRAPHIE ABDOMINALE\nFoie homogène.")
    assert not us.fits and "no US template" in us.reason
    knee = choose_template_detail("X-ray knee\nNo fracture.")
    assert not knee.fits and "knee" in knee.reason
    assert not any(t.startswith("US_") for t in load_templates())
    s = structure_rules("X-ray knee\nNo fracture.")
    assert "no XRAY template for the knee" in s.template_note


def test_sentences_route_by_recognised_finding_not_keyword():
    s = structure_rules(
        "FINDINGS: Degenerative changes of the thoracic spine. No acute fracture. Mildly"
        " enlarged heart. No pleural effusion or pneumothorax. Right IJ catheter in place.",
        template="XRAY_CHEST",
    )
    f = s.fields
    assert "Degenerative" not in f["FRACTURE"] and f["FRACTURE"] == "No acute fracture."
    assert "Degenerative changes of the thoracic spine." in s.unassigned  # kept, not dropped
    assert f["CARDIOMEGALY"] == "Mildly enlarged heart."
    assert f["PLEURAL_EFFUSION"] == f["PNEUMOTHORAX"] == "No pleural effusion or pneumothorax."
    assert f["SUPPORT_DEVICES"] == "Right IJ catheter in place."  # no finding: keywords route


def test_dicom_header_names_the_modality(cli):
    from pydicom.data import get_testdata_file

    from radgen.io.dicom import exam_title

    ct = get_testdata_file("CT_small.dcm")
    assert exam_title(ct).startswith("CT")
    report = "5 mm nodule in the right upper lobe. The lungs are otherwise clear."
    assert choose_template_detail(report).name == "XRAY_CHEST"  # no modality named
    assert choose_template_detail(report, exam_title(ct)).name == "CT_CHEST"
    code, out, err = cli("text", "structure", "--text", report, "--method", "rules",
                         "--dicom", ct, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["template"] == "CT_CHEST"
