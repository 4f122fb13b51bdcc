"""Protocol advice on clinical requests written from public guidance (benchmarks/data/
protocol_scenarios.jsonl): the deterministic engine against today's model-only path.

The scenarios and their accepted answers were written and committed before the engine was
built. The ``dev`` half was used while building (rules, synonyms, the match threshold); the
``frozen`` half was not looked at until the final run, and is what the JSON reports.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from common import ROOT, write_result
from radgen.text.protocol.advice import Advice, ProtocolAdvisor
from radgen.text.protocol.guidance import ExamSpec
from radgen.text.protocol.matcher import LearnedMatcher, default_weights
from radgen.text.protocol.request import parse_request
from radgen.text.protocol.safety import safety_violations

SCENARIOS = ROOT / "data" / "protocol_scenarios.jsonl"
# Written after the negation fix, before any run: a held-out check of that fix.
SECOND = ROOT / "data" / "protocol_scenarios_second.jsonl"
# Written (and committed) after the second set's fixes, before any run: held out from them.
THIRD = ROOT / "data" / "protocol_scenarios_third.jsonl"
# Written (and committed) after the third set's fixes, before any run.
FOURTH = ROOT / "data" / "protocol_scenarios_fourth.jsonl"
# Worded by the local 1.5B model from fact sheets written before any run
# (write_protocol_requests.py): "written-dev" may be examined, "written-held" and
# "written2-held" are run once. Each set has a file of requests marked by hand as having lost
# a fact that decides their answer.
WRITTEN = {
    name: (ROOT / "data" / f"protocol_scenarios_{name}.jsonl",
           ROOT / "data" / f"protocol_scenarios_{name}_valid.json")
    for name in ("written", "written2", "written3", "written4", "written5", "written6", "written7",
                 "written8", "written9", "written10", "written11", "written12", "written13",
                 "written14", "written15", "written16", "written17", "written18", "written19",
                 "written20", "written21", "written22", "written23", "written24",
                 "written25")
}  # fmt: skip
# The later sets, in the order they were written: --extra's choices and the pooled summary
EXTRA_NOTES = {
    "second": "14 requests written after the negation fix and before any run",
    "third": "28 requests written from the guidance passages after the second set's fixes"
    " (negated risk factors, C-spine low-risk criteria) and committed before any run",
    "fourth": "26 requests written after the third set's fixes (Ottawa criteria, negated"
    " synonyms, plurals) and committed before any run",
    "written-dev": "requests worded by the local 1.5B model (not by radgen's author) from fact"
    " sheets written from the guidance before any run; the development half: its errors were"
    " read and fixed",
    "written-held": "requests worded by the local 1.5B model (not by radgen's author) from fact"
    " sheets written from the guidance before any run; the held half: never examined",
    "written2-held": "a second batch of 64 fact sheets written after the written set's fixes,"
    " worded by the same model, held out whole",
    "written3-held": "a third batch of 55 fact sheets written after written2's fixes, worded by"
    " the same model, held out whole",
    "written4-held": "a fourth batch of 64 fact sheets written before the learned entry matcher"
    " was built, worded by the same model in three styles (the third, a hospital doctor's"
    " electronic order, new), held out whole; the default engine (rules, then the learned"
    " matcher), with the rules alone beside it (written4-held_frozen_rules_only)",
    "written5-held": "a fifth batch of 64 fact sheets written after written4's one run and"
    " before any change made from its errors, worded by the same model in the same three"
    " styles, validity marked by hand before any run, held out whole; the default engine (rules"
    " with the post-negation and no-imaging-needs-a-phrase changes, then the learned matcher"
    " retrained with written4 and its floor-and-margin rule), with the rules alone beside it"
    " (written5-held_frozen_rules_only)",
    "written6-held": "a sixth batch of 53 fact sheets written after written5's fixes, worded by"
    " the same model in the emergency style and two new ones (a nurse practitioner's SBAR"
    " handover, a specialist's clinic letter), validity marked by hand before any run, held out"
    " whole; the default engine (rules with written5's fixes, then the learned matcher scoring"
    " entry texts and nearest examples, bars chosen by leave-one-batch-out tests), with the"
    " rules alone (written6-held_frozen_rules_only) and the previous scoring, entry texts alone"
    " at bars 0.7, 0.5 and 0.25 (written6-held_frozen_entry_text_matcher), beside it",
    "written7-held": "a seventh batch of 50 fact sheets written after written6's fixes, worded by"
    " the same model in the GP and ward styles and a new one (a triage nurse's note), validity"
    " marked by hand before any run, held out whole; the default engine (written6's fixes, the"
    " matcher retrained on 947 examples with bars chosen on written4-6), with the rules alone"
    " (written7-held_frozen_rules_only) and the previous entry-text scoring"
    " (written7-held_frozen_entry_text_matcher) beside it",
    "written8-held": "an eighth batch of 58 fact sheets written after written7's fixes, worded by"
    " the same model in the emergency style and two new ones (a paramedic's pre-alert, a"
    " doctor's e-mail to the duty radiologist), validity marked by hand before any run, held out"
    " whole; the default engine (written7's fixes, the matcher retrained on 1,089 examples, bars"
    " unchanged), with the rules alone (written8-held_frozen_rules_only) and the previous"
    " entry-text scoring (written8-held_frozen_entry_text_matcher) beside it",
    "written9-held": "a ninth batch of 46 fact sheets written after written8's fixes, worded by"
    " the same model in the GP and clinic-letter styles and a new one (a junior doctor's"
    " telephone call), validity marked by hand before any run, held out whole; the default"
    " engine (written8's fixes, the matcher retrained on 1,229 examples, bars unchanged), with"
    " the rules alone (written9-held_frozen_rules_only) and the previous entry-text scoring"
    " (written9-held_frozen_entry_text_matcher) beside it",
    "written10-held": "a tenth batch of 58 fact sheets written after written9's fixes, worded by"
    " the same model in the emergency and ward styles and a new one (an outpatient referral form"
    " with labelled fields), validity marked by hand before any run, held out whole; the default"
    " engine (written9's fixes, the matcher retrained on 1,340 examples, bars unchanged), with"
    " the rules alone (written10-held_frozen_rules_only) and the previous entry-text scoring"
    " (written10-held_frozen_entry_text_matcher) beside it",
    "written11-held": "an eleventh batch of 59 fact sheets written after written10's fixes (one,"
    " n00, a copy of written10's o00 sheet, excluded), worded by the same model in the GP and"
    " triage styles and a new one (an American electronic order with its abbreviations), validity"
    " marked by hand before any run, held out whole; the default engine (written10's fixes, the"
    " matcher retrained on 1,485 examples, bars unchanged), with the rules alone"
    " (written11-held_frozen_rules_only) and the previous entry-text scoring"
    " (written11-held_frozen_entry_text_matcher) beside it",
    "written12-held": "a twelfth batch of 64 fact sheets written after written11's fixes and the"
    " override rule, worded by the same model in the emergency and e-mail styles and a new one (a"
    " doctor's informal instant message), validity marked by hand before any run, held out whole;"
    " the default engine (written11's fixes, the matcher retrained on 1,631 examples, the override"
    " rule's first held-out test), with the rules alone (written12-held_frozen_rules_only) and the"
    " previous entry-text scoring (written12-held_frozen_entry_text_matcher) beside it",
    "written13-held": "a thirteenth batch of 61 fact sheets written after written12's fixes,"
    " worded by the same model in the GP and ward styles and a new one (a request dictated into"
    " speech recognition, with almost no punctuation), validity marked by hand before any run,"
    " held out whole; the default engine (written12's fixes, the matcher retrained on 1,764"
    " examples, bars unchanged), with the rules alone (written13-held_frozen_rules_only) and the"
    " previous entry-text scoring (written13-held_frozen_entry_text_matcher) beside it",
    "written14-held": "a fourteenth batch of 44 fact sheets written after written13's fixes, with"
    " safety conditions in new wordings, worded by the same model in the emergency and clinic"
    " styles and a new one (a doctor's spoken handover to the night team), validity marked by hand"
    " before any run (no out-of-scope request survived the writer), held out whole; the default"
    " engine (written13's fixes, the matcher retrained on 1,923 examples, bars unchanged), with the"
    " rules alone (written14-held_frozen_rules_only) and the previous entry-text scoring"
    " (written14-held_frozen_entry_text_matcher) beside it",
    "written15-held": "a fifteenth batch of 40 fact sheets written after written14's fixes and"
    " while the learned condition reader was built, again aimed at the safety facts (contrast"
    " reactions, pregnancies, kidney failure, implants) and at look-alikes that must not change"
    " the answer, worded by the same model in the emergency and telephone styles and a new one"
    " (a request filled in by an electronic health record), validity marked by hand before any"
    " run, held out whole; the default engine (written14's fixes, the matcher retrained on 2,010"
    " examples, bars unchanged, and the learned condition reader), with the same engine without"
    " the reader (written15-held_frozen_no_reader) and the rules alone"
    " (written15-held_frozen_rules_only) beside it",
    "written16-held": "a sixteenth batch of 40 fact sheets written after written15's fixes and"
    " the reviews that followed, aimed at the safety facts in wordings no earlier sheet used"
    " (an adrenaline pen in the scanner, haemofiltration, a dating scan, a spinal cord"
    " stimulator) and at look-alikes (shellfish allergy, a warm flush after dye, a titanium"
    " plate), worded by the same model in the emergency and GP styles and a new one (a SOAP"
    " note), validity marked by hand before any run, held out whole; the default engine"
    " (written15's fixes, the shipped matcher and condition reader), with the rules alone"
    " (written16-held_frozen_rules_only) beside it",
    "written17-held": "a seventeenth batch of 40 fact sheets written after written16's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (anaphylactic shock from"
    " contrast, an allergy band, a creatinine of 520, home dialysis, weeks' gestation, an"
    " aneurysm clip) and at look-alikes (breastfeeding, a bee-sting reaction, metformin), with 8"
    " no-imaging requests, worded by the same model in the GP and telephone styles and a new one"
    " (hospital notes headings), validity marked by hand before any run, held out whole; the"
    " default engine (written16's fixes, the shipped matcher and condition reader), with the"
    " rules alone (written17-held_frozen_rules_only) beside it",
    "written18-held": "an eighteenth batch of 40 fact sheets written after written17's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (a throat that swelled after"
    " X-ray dye, an allergy list naming iohexol, stage 5 kidney disease, a doubled creatinine,"
    " twins, a cochlear implant, a metal splinter in the eye; an MRI for the last three counts as"
    " unsafe) and at look-alikes (a knee replacement, a birth six months ago, a negative"
    " pregnancy test), with 8 no-imaging requests, worded by the same model in the emergency and"
    " ward styles and a new one (an Australian registrar's shorthand), validity marked by hand"
    " before any run, held out whole; the default engine (written17's fixes, the shipped matcher"
    " and condition reader), with the rules alone (written18-held_frozen_rules_only) beside it",
    "written19-held": "a nineteenth batch of 40 fact sheets written after written18's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (hives and wheeze after CT"
    " contrast, haemodialysis, an eGFR of 18, a failing kidney transplant, an ICD that is not MR"
    " conditional, a spinal cord stimulator, shrapnel, '16 weeks into her pregnancy', a positive"
    " hCG) and at look-alikes (a birth three days ago, a latex allergy, a contrast CT with no"
    " reaction, a hysterectomy, a titanium hip), with 7 no-imaging requests, worded by the same"
    " model in the emergency and clinic-letter styles and a new one (a bulleted list), validity"
    " marked by hand before any run, held out whole; the default engine (written18's fixes, the"
    " shipped matcher and condition reader), with the rules alone"
    " (written19-held_frozen_rules_only) beside it",
    "written20-held": "a twentieth batch of 40 fact sheets written after written19's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (metformin with an eGFR of 25,"
    " peritoneal dialysis, kidneys working at 15 percent, a face and lips that blew up after"
    " the contrast injection, Visipaque by name, pregnant at 12 weeks by scan, a pregnancy"
    " confirmed by a urine test, a deep brain stimulator, a bullet lodged in the neck) and at"
    " look-alikes (gadolinium without problems, an ibuprofen allergy, a contraceptive implant,"
    " dental implants), with 8 no-imaging requests, worded by the same model in the GP and"
    " American order styles and a new one (a doctor writing English as a second language),"
    " validity marked by hand before any run, held out whole; the default engine (written19's"
    " fixes, the shipped matcher and condition reader, not retrained on written19), with the"
    " rules alone (written20-held_frozen_rules_only) beside it",
    "written21-held": "a twenty-first batch of 40 fact sheets written after written20's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (adrenaline in the scanner"
    " after contrast, a red alert for iodine contrast, told never to have X-ray dye again, a"
    " creatinine clearance of 12 mL/min, a single kidney with an acute injury, a fistula for"
    " dialysis, gravida 2 para 1 at 20 weeks, 28/40, an IVF pregnancy, a bionic ear, a brain"
    " pacemaker, a grinder with metal in his eye) and at look-alikes (trying for a baby, a"
    " miscarriage two months ago, a coronary stent, a copper coil), with 7 no-imaging requests,"
    " worded by the same model in the emergency and GP styles and a new one (a question typed"
    " into a decision-support search box), validity marked by hand before any run, held out"
    " whole; the default engine (written20's fixes, the shipped matcher and condition reader"
    " retrained after written20), with the rules alone (written21-held_frozen_rules_only)"
    " beside it",
    "written22-held": "a twenty-second batch of 40 fact sheets written after written21's fixes"
    " and nets, aimed at the safety facts in wordings no earlier sheet used (covered in welts"
    " after CT contrast, a medical alert bracelet, blotchy and dizzy after the injection for a"
    " CT, a severe reaction to the injection for an IVP, kidneys failing before dialysis, a"
    " creatinine tripled in myeloma, 14 weeks along, a beta-hCG of 2,400, a heart pacing box,"
    " shotgun pellets, a vagal nerve stimulator, a welder's metal fleck in the eye) and at"
    " look-alikes (stopped breastfeeding, a shellfish allergy, a rash after gadolinium, a knee"
    " replacement and a heart stent, breast implants), with 6 no-imaging requests, worded by"
    " the same model in the GP and ward styles and a new one (the history told in time order),"
    " validity marked by hand before any run, held out whole; the default engine (written21's"
    " fixes and nets, the shipped matcher and condition reader, not retrained on written21),"
    " with the rules alone (written22-held_frozen_rules_only) beside it",
    "written23-held": "a twenty-third batch of 40 fact sheets written after written22's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (Omnipaque on an allergy list,"
    " a face that blew up after dye, an anaphylactoid reaction, eGFR 14, kidneys at a quarter of"
    " normal, a failing transplant, acute renal failure after sepsis, twins, G3P2 at 22/52, a"
    " first antenatal booking, bullet fragments, a baclofen pump, iron filings in an eye, a"
    " sacral nerve stimulator) and at look-alikes (breastfeeding, a panic attack in an MRI"
    " scanner, an allergy to sticking plasters, an artificial hip and a titanium plate,"
    " contrast given before without a problem), with 4 no-imaging requests, worded by the same"
    " model in the emergency and clinic-letter styles and a new one (a medical student's"
    " ward-round presentation), validity marked by hand before any run, held out whole; the"
    " default engine (written22's fixes; matcher and condition reader retrained with written21"
    " and written22), with the rules alone (written23-held_frozen_rules_only) beside it",
    "written24-held": "a twenty-fourth batch of 40 fact sheets written after written23's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (Visipaque on a drug chart,"
    " resus after contrast, a record warning against iodinated media, steroids through a drip"
    " after dye, iopamidol on an allergy list, a creatinine in mg/dL, a fistula awaited for"
    " dialysis, stage 3 acute kidney injury, kidney function at 12 percent, dialysis through a"
    " tube in the tummy, 32+4 weeks, ten weeks since the last period, an IVF pregnancy, a"
    " 30-week bump, a gastric stimulator and a phrenic nerve pacer labelled MR unsafe, shrapnel,"
    " a pacemaker from 1998, an aneurysm clip) and at look-alikes (a sister's contrast reaction,"
    " shellfish and bee-sting allergies, a normal creatinine, a hysterectomy, amalgam fillings"
    " and a tattoo, breastfeeding stopped with a negative test), with 4 no-imaging requests,"
    " worded by the same model in the emergency and telephone styles and a new one (a GP's"
    " video-consultation summary), validity marked by hand before any run, held out whole; the"
    " default engine (written23's fixes; matcher and condition reader retrained with written23),"
    " with the rules alone (written24-held_frozen_rules_only) beside it",
    "written25-held": "a twenty-fifth batch of 40 fact sheets written after written24's fixes,"
    " aimed at the safety facts in wordings no earlier sheet used (a crash call after contrast,"
    " steroid cover for contrast, eyes and lips swollen after an IVU, Ultravist, contrast-induced"
    " anaphylaxis, CAPD, a transplant with an eGFR of 24, kidney function called very poor,"
    " hardly any urine, an EDD in six weeks, 18 weeks' gestation, due in four months, a"
    " surrogate pregnancy, a CRT-D, an occipital and a hypoglossal nerve stimulator, a metal"
    " foreign body in the orbit, a shard of metal in an eye) and at look-alikes (a Betadine"
    " allergy, a pregnant wife, a birth two weeks ago, a gadolinium MRI without a problem,"
    " dentures and a removable hearing aid), with 4 no-imaging requests, worded by the same"
    " model in the GP and ward styles and a new one (a request typed in a hurry on a phone, with"
    " typing slips), validity marked by hand before any run, held out whole; the default engine"
    " (written24's fixes; matcher and condition reader retrained with written24), with the"
    " rules alone (written25-held_frozen_rules_only) beside it",
}
# The learned matcher as it scored before 2026-11-30 (same weights): entry texts alone, at the
# bars cross-validation chose for them (protocol_matcher_cv.py)
ENTRY_TEXT_BARS = {
    "learned_threshold": 0.7,
    "learned_floor": 0.5,
    "learned_margin": 0.25,
    "learned_bar_lead": 0.0,
    "override_score": 2.0,  # it never overrode a rules phrase (cosines are at most 1)
}
IONISING = {"CT", "X-ray", "nuclear medicine", "fluoroscopy", "mammography"}


def forbidden(s: dict, modality: str, iodinated: bool) -> bool:
    """Whether the scenario's safety flags forbid an examination of this kind."""
    return bool(
        (s.get("no_ionising") and modality in IONISING)
        or (s.get("no_iodinated") and iodinated)
        or (s.get("no_mri") and modality == "MRI")  # sheets from written18 on mark an
    )  # implant or metal that makes MRI unsafe; earlier sheets did not, so MRI was never unsafe


def check_flags(rows: list[dict]) -> list[dict]:
    """A scenario's safety flags must not forbid its own accepted answer (written11's n01, a
    pregnant woman's V/Q scan, was flagged no_ionising by mistake and scored unsafe)."""
    for r in rows:
        for a in r.get("accept", []):
            if forbidden(r, a["modality"], a.get("contrast") is True):
                raise ValueError(f"{r['id']}: its flags forbid its accepted answer {a}")
    return rows


def load(split: str) -> list[dict]:
    if split.startswith("written"):
        name, half = split.split("-")
        path = WRITTEN[name][0]
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return check_flags([r for r in rows if r["split"] == half])
    path = {"second": SECOND, "third": THIRD, "fourth": FOURTH}.get(split, SCENARIOS)
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return check_flags([r for r in rows if split == "all" or r["split"] == split])


def load_kind(scenarios: list[dict], sid: str) -> str:
    return next(s["kind"] for s in scenarios if s["id"] == sid)


def exam_matches(exam: ExamSpec | None, accept: list[dict]) -> bool:
    if exam is None:
        return False
    text = f"{exam.region} {exam.name}".lower()
    for a in accept:
        if a["modality"] != exam.modality:
            continue
        if not any(k in text for k in a["region_any"]):
            continue
        if (
            "contrast" in a
            and a["contrast"] is not None
            and a["contrast"] != (exam.contrast != "none")
        ):
            continue
        return True
    return False


def correct(s: dict, advice: Advice) -> bool:
    if s["kind"] == "abstain":
        return advice.abstained
    if s["kind"] == "no_imaging":
        return advice.imaging_indicated is False
    return bool(advice.imaging_indicated) and exam_matches(advice.exam, s["accept"])


def unsafe(s: dict, exam: ExamSpec | None) -> bool:
    return exam is not None and forbidden(s, exam.modality, exam.contrast == "iodinated")


def _rate(hits: int, group: list) -> float | None:
    """A rate over a group, or None for a group the set does not have (no 0.0 for nothing)."""
    return round(hits / len(group), 4) if group else None


def score(rows: list[tuple[dict, Advice]], seconds: float) -> dict:
    in_scope = [(s, a) for s, a in rows if s["kind"] != "abstain"]
    out_scope = [(s, a) for s, a in rows if s["kind"] == "abstain"]
    no_img = [(s, a) for s, a in rows if s["kind"] == "no_imaging"]
    exams = [(s, a) for s, a in rows if a.exam is not None]
    return {
        "n": len(rows),
        "accuracy": round(sum(correct(s, a) for s, a in rows) / len(rows), 4),
        "in_scope_accuracy": round(sum(correct(s, a) for s, a in in_scope) / len(in_scope), 4),
        "unsafe_rate": round(sum(unsafe(s, a.exam) for s, a in rows) / len(rows), 4),
        "no_imaging_recall": _rate(sum(a.imaging_indicated is False for _, a in no_img), no_img),
        "abstain_rate_out_of_scope": _rate(sum(a.abstained for _, a in out_scope), out_scope),
        "false_abstention_rate": round(sum(a.abstained for _, a in in_scope) / len(in_scope), 4),
        "grounded_rate": round(
            sum(
                a.source is not None
                and a.exam.cite.lower() in " ".join(a.source.passage.split()).lower()
                for _, a in exams
            )
            / max(len(exams), 1),
            4,
        ),
        "seconds_per_request": round(seconds / len(rows), 4),
        "found_by_learned_matcher": sum(a.matched_by == "learned" for _, a in rows),
        "wrong": [
            {
                "id": s["id"],
                "kind": s["kind"],
                "got": a.exam.name
                if a.exam
                else ("no imaging" if a.imaging_indicated is False else "abstained"),
            }
            for s, a in rows
            if not correct(s, a)
        ],
    }


def advise_all(scenarios: list[dict], advisor: ProtocolAdvisor) -> tuple[list, float]:
    """Each scenario with the engine's advice, and the seconds the advising took."""
    advisor.advise("warm up: suspected pulmonary embolism")
    t0 = time.perf_counter()
    rows = [(s, advisor.advise(s["request"])) for s in scenarios]
    return rows, time.perf_counter() - t0


def run_rules(scenarios: list[dict], advisor: ProtocolAdvisor) -> dict:
    return score(*advise_all(scenarios, advisor))


def run_llm_only(scenarios: list[dict], advisor: ProtocolAdvisor) -> dict:
    """Today's path: the 0.5B model with retrieved guidance, its answer as it comes, then the
    same safety check (counted separately: what would have been refused)."""
    from radgen.text.llm.llamacpp import LlamaCppBackend
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.protocol import guidance_context, recommend_protocol

    backend = LlamaCppBackend("qwen2.5-coder-0.5b", threads=2)
    rows, refused = [], 0
    t0 = time.perf_counter()
    for s in scenarios:
        out = recommend_protocol(
            s["request"], backend, LLMOptions(), context=guidance_context(s["request"], 3)
        )
        facts = parse_request(s["request"])
        exam = None
        if out.protocol is not None:
            p = out.protocol
            contrast = (
                "none" if not p.contrast else ("gadolinium" if p.modality == "MRI" else "iodinated")
            )
            modality = p.modality if p.modality != "nuclear medicine" else "nuclear medicine"
            exam = ExamSpec(
                name=f"{p.modality} {p.body_region}",
                modality=modality,
                region=p.body_region,
                contrast=contrast,
                cite="",
            )
            entry = advisor.match(s["request"])[0].entry
            refused += bool(safety_violations(exam, facts, entry, s["request"]))
        rows.append(
            (
                s,
                Advice(
                    request=s["request"],
                    imaging_indicated=exam is not None or None,
                    exam=exam,
                    abstained=exam is None,
                    facts=facts,
                    method="llm",
                ),
            )
        )
    result = score(rows, time.perf_counter() - t0)
    result["would_be_refused_by_safety_check"] = refused
    return result


def run_extra(name: str, advisor: ProtocolAdvisor, suffix: str = "") -> None:
    """Score a later frozen set and add it to the JSON beside the main one. The first run of a
    set is its held-out figure and is never overwritten; later runs (after fixes made once its
    errors were seen) are stored beside it, labelled."""
    rows = load(name)
    invalid: list[str] = []
    if name.startswith("written"):  # requests the writer garbled are scored apart
        written, half = name.split("-")
        marks = json.loads(WRITTEN[written][1].read_text())[half]
        invalid = marks["invalid"]
    advised, seconds = advise_all(rows, advisor)  # once; the valid requests scored apart
    valid = [(s, a) for s, a in advised if s["id"] not in invalid]
    extra = score(valid, seconds * len(valid) / len(advised))
    if invalid:
        every = score(advised, seconds)
        extra["with_invalid_requests"] = {
            k: every[k] for k in ("n", "accuracy", "unsafe_rate", "no_imaging_recall")
        }
        extra["invalid_requests"] = invalid
    shown = (
        extra if not name.endswith("-held") else {k: v for k, v in extra.items() if k != "wrong"}
    )
    print(f"{name} frozen set", json.dumps(shown, indent=1))  # held errors stay unread
    result = json.loads((ROOT / "results" / "bench_protocol.json").read_text())
    result.pop("machine", None), result.pop("date", None)
    if suffix:  # a side-by-side variant (e.g. the rules alone): stored apart, pooled nowhere;
        # its first run, beside the default engine's held-out one, is kept like that one
        key = f"{name}_frozen{suffix}"
        if key in result and f"{key}_first_run" not in result:
            result[f"{key}_first_run"] = result[key]
        result[key] = extra
        write_result("bench_protocol", result, show=False)  # held errors stay unprinted
        return
    key, first = f"{name}_frozen", f"{name}_frozen_first_run"
    if key in result and first not in result:
        result[first] = result[key]
    seen = first in result
    result[f"{name}_frozen_note"] = EXTRA_NOTES[name] + (
        f": {first} is held out; {key} is after fixes made once its errors were seen"
        " (no longer unseen)"
        if seen
        else "; held out (first run)"
    )
    result[key] = extra
    result["held_out_first_runs"] = held_out_summary(result)
    write_result("bench_protocol", result, show=False)  # held errors stay unprinted


def held_out_summary(result: dict) -> dict:
    """Each frozen set's first run (the only unseen figure it has), pooled: the honest
    headline, since every later figure comes after fixes made once that set's errors were
    seen."""
    sets = {
        "first": result.get("frozen_first_run") or result.get("frozen"),
        **{
            n: result.get(f"{n}_frozen_first_run") or result.get(f"{n}_frozen")
            for n in EXTRA_NOTES
            if n != "written-dev"  # a development half: never held out
        },
    }
    sets = {k: v for k, v in sets.items() if v}
    n = sum(v["n"] for v in sets.values())
    return {
        "pooled_accuracy": round(sum(v["accuracy"] * v["n"] for v in sets.values()) / n, 4),
        "n": n,
        "per_set": {
            k: {
                key: v[key]
                for key in (
                    "n",
                    "accuracy",
                    "no_imaging_recall",
                    "unsafe_rate",
                    "abstain_rate_out_of_scope",
                )
            }
            for k, v in sets.items()
        },
        "max_unsafe_rate": max(v["unsafe_rate"] for v in sets.values()),
        # also harmful, though not "unsafe" by the definition: no imaging where the
        # guidance names an examination
        "imaging_withheld_wrongly": [
            f"{k}:{w['id']}"
            for k, v in sets.items()
            for w in v["wrong"]
            if w["kind"] == "exam" and w["got"] == "no imaging"
        ],
    }


_TEMPORARY: list[tempfile.TemporaryDirectory] = []


def entry_text_matcher() -> LearnedMatcher:
    """The shipped weights without their examples: entry texts alone are compared."""
    state = torch.load(default_weights(), map_location="cpu", weights_only=False)
    state.pop("examples", None)
    folder = tempfile.TemporaryDirectory(prefix="radgen-entry-text-")
    _TEMPORARY.append(folder)  # removed when the benchmark exits
    path = Path(folder.name) / "entry_text_matcher.pt"
    torch.save(state, path)
    return LearnedMatcher(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="frozen", choices=["dev", "frozen", "all"])
    parser.add_argument("--no-llm", action="store_true")
    parser.add_argument(
        "--after-fix",
        action="store_true",
        help="rerun the rules after a fix made once the frozen errors were seen: keeps the"
        " earlier frozen run (and the model-only run) beside it, labelled",
    )
    parser.add_argument(
        "--extra",
        choices=list(EXTRA_NOTES),
        help="run a later frozen set (written after the fixes before it) and add it to the"
        " result; its first run is kept as the held-out figure",
    )
    parser.add_argument(
        "--matcher",
        default="learned",
        choices=["learned", "rules", "entry-text"],
        help="how entries are found: learned (the default engine: rules, then the learned"
        " matcher), rules (the rules alone) or entry-text (the learned matcher scoring entry"
        " texts alone, as before 2026-11-30); with --extra, the last two are stored beside the"
        " default run",
    )
    parser.add_argument(
        "--no-reader",
        action="store_true",
        help="the safety facts from the rules alone (no learned condition reader); with"
        " --extra, stored beside the default run",
    )
    args = parser.parse_args()
    reader = not args.no_reader
    if args.matcher == "entry-text":
        advisor = ProtocolAdvisor(learned=entry_text_matcher(), reader=reader, **ENTRY_TEXT_BARS)
    else:
        advisor = ProtocolAdvisor(matcher=args.matcher, reader=reader)
    if args.extra:
        suffix = {"learned": "", "rules": "_rules_only", "entry-text": "_entry_text_matcher"}
        run_extra(args.extra, advisor, suffix[args.matcher] + ("" if reader else "_no_reader"))
        return
    scenarios = load(args.split)
    rules = run_rules(scenarios, advisor)
    print("rules", json.dumps(rules, indent=1))
    if args.split == "dev":  # development runs write nothing; they print the threshold margin
        best = {s["id"]: advisor.match(s["request"])[0].score for s in scenarios}
        ins = min(v for k, v in best.items() if load_kind(scenarios, k) != "abstain")
        outs = max(v for k, v in best.items() if load_kind(scenarios, k) == "abstain")
        print(
            f"match scores: worst in-scope {ins:.3f}, best out-of-scope {outs:.3f},"
            f" midpoint {(ins + outs) / 2:.3f}"
        )
        return
    previous = previous_result()
    if args.after_fix:
        args.no_llm = True
    llm = None if args.no_llm else run_llm_only(scenarios, advisor)
    if llm:
        print("llm-only", {k: v for k, v in llm.items() if k != "wrong"})
    dev = run_rules(load("dev"), advisor)
    headline = (
        "accuracy",
        "unsafe_rate",
        "no_imaging_recall",
        "abstain_rate_out_of_scope",
        "grounded_rate",
        "seconds_per_request",
    )
    new = {
        **{k: rules[k] for k in headline},
        "frozen": rules,
        "dev": dev,
        "split": args.split,
        "scenarios": str(Path(SCENARIOS).relative_to(ROOT.parent)),
        "note": "frozen half not examined while building; dev half used for rules,"
        " synonyms and the match threshold",
    }
    if llm:  # without a model run, the earlier model-only figures are kept as they were
        new |= {
            "llm_only_accuracy": llm["accuracy"],
            "llm_only_unsafe_rate": llm["unsafe_rate"],
            "llm_only": llm,
        }
    if args.after_fix:
        new["after_fix_note"] = (
            "after the first frozen run showed 'no locking' read as locking, entry flags"
            " learned negation; the frozen half is no longer unseen for this figure:"
            " frozen_first_run is the held-out one"
        )
    write_result("bench_protocol", merged_result(previous, new))


def previous_result() -> dict:
    """The results written so far (every later set's runs and first runs), or nothing."""
    path = ROOT / "results" / "bench_protocol.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    result.pop("machine", None), result.pop("date", None)
    return result


def merged_result(previous: dict, new: dict) -> dict:
    """A main run's figures over the earlier result: every key it does not write (the later
    sets, their first runs, the pooled held-out summary) is kept, and the frozen half's first
    run, the held-out figure, is never overwritten (a rerun used to drop them all)."""
    merged = {**previous, **new}
    if "frozen" in previous and "frozen_first_run" not in previous:
        merged["frozen_first_run"] = previous["frozen"]
    return merged


if __name__ == "__main__":
    main()
