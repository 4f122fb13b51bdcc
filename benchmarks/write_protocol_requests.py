"""A protocol scenario set whose wording radgen's author did not write: the local 1.5B model
turns each fact sheet in ``data/protocol_specs_written.jsonl`` into a clinical request, in
two styles (an emergency doctor's terse form, a GP's referral sentences).

The fact sheets and their accepted answers were written from the guidance passages before
any request was generated and before the engine saw any of them. Sheets are split in two by
a fixed shuffle: ``dev`` (its errors may be read and fixed) and ``held`` (run once, never
examined). The writer may drop or change a fact (the 1.5B often does), so every request is also
marked by hand for whether it keeps the facts that decide its answer
(``data/protocol_scenarios_written_valid.json``): the dev half while building, the held half
only after the engine was frozen and before its one run.

A first generation (commit afaea53) was discarded before any engine run: its prompt listed
the abbreviations, which the model copied verbatim into most requests, and it named exams
despite being told not to; the prompts were revised on dev fact sheets only.

    .venv/bin/python benchmarks/write_protocol_requests.py   # about 15 min on 2 cores

``--set written2`` words a second batch of 64 fact sheets (written after the first set's
fixes, before any run on them) into a set that is held out whole; ``--set written3`` a third
batch of 55, written after written2's fixes. ``--set written4`` words a fourth batch of 64
sheets, written before the learned entry matcher was built, in three styles: the two above and
a hospital doctor's electronic order ("ward"), a style the rules were never fitted to.
``--set written5`` words a fifth batch of 64 sheets, written after the learned matcher's first
held-out run and before any change made from written4's errors, in the same three styles.
``--set written6`` words a sixth batch of 53 sheets, written after written5's fixes, in the
emergency style and two new ones no rule was fitted to: a nurse practitioner's SBAR handover
("sbar") and a specialist's clinic letter ("clinic"). ``--set written7`` words a seventh batch
of 50 sheets, written after written6's fixes and before any run on them, in the GP and ward
styles and a third one no rule was fitted to: a triage nurse's note ("triage"). ``--set
written8`` words an eighth batch of 58 sheets, written after written7's fixes and before any
run on them, in the emergency style and two new ones no rule was fitted to: a paramedic's
pre-alert call ("paramedic") and a doctor's informal e-mail to the duty radiologist ("email").
``--set written9`` words a ninth batch of 46 sheets, written after written8's fixes, in the GP
and clinic-letter styles and a new one: a junior doctor's telephone call ("phone").
``--set written10`` words a tenth batch of 58 sheets, written after written9's fixes and
before any run on them, in the emergency and ward styles and a new one: an outpatient referral
form with labelled fields ("form"). ``--set written11`` words an eleventh batch of 59 sheets,
written after written10's fixes and before any run on them, in the GP and triage styles and a
new one: an American hospital's electronic order with its abbreviations ("order").
``--set written12`` words a twelfth batch of 64 sheets, written after written11's fixes and
the override rule and before any run on them, in the emergency and e-mail styles and a new
one: a doctor's instant message to the radiology department ("message"). ``--set written13``
words a thirteenth batch of 61 sheets, written after written12's fixes and before any run on
them, in the GP and ward styles and a new one: a request dictated into speech recognition and
left uncorrected, with almost no punctuation ("dictated"). ``--set written14`` words a
fourteenth batch of 44 sheets, written after written13's fixes and before any run on them, in
the emergency and clinic-letter styles and a new one: a doctor's spoken handover to the night
team ("handover"). ``--set written15`` words a fifteenth batch of 40 sheets, written after
written14's fixes and after the learned condition reader was built, and aimed again at the
safety facts (contrast reactions, pregnancies, kidney failure and implants in wordings no
earlier sheet used, and look-alikes that must not change the answer: other allergies, contrast
given safely before, an MRI-conditional pacemaker), in the emergency and telephone styles and
a new one: a request whose fields an electronic health record filled in ("ehr").
``--set written16`` words a sixteenth batch of 40 sheets, written after written15's fixes and
the reviews that followed, before any run on them, again aimed at the safety facts in wordings
no earlier sheet used (an adrenaline pen in the scanner, haemofiltration, a dating scan, a
spinal cord stimulator) and at look-alikes, in the emergency and GP styles and a new one: a
doctor's SOAP note ("soap"). ``--set written17`` words a seventeenth batch of 40 sheets,
written after written16's fixes and before any run on them, aimed at the safety facts in new
wordings (anaphylactic shock from contrast, an allergy band, a creatinine of 520, home
dialysis, weeks' gestation, an aneurysm clip) and at look-alikes (breastfeeding, a bee-sting
reaction, metformin), with 8 no-imaging requests, in the GP and telephone styles and a new
one: a doctor's entry in the hospital notes under the usual headings ("notes").
``--set written18`` words an eighteenth batch of 40 sheets, written after written17's fixes
and before any run on them, aimed at the safety facts in new wordings (a throat that swelled
after X-ray dye, an allergy list naming iohexol, stage 5 kidney disease, a doubled creatinine,
twins, a cochlear implant, a metal splinter in the eye) and at look-alikes (a knee replacement,
a birth six months ago, a negative pregnancy test), with 8 no-imaging requests, in the
emergency and ward styles and a new one: an Australian emergency registrar's request in the
local shorthand ("aus"). Its sheets also carry ``no_mri`` where MRI is unsafe.
``--set written21`` words a twenty-first batch of 40 sheets (prefix a), written after
written20's fixes and before any run on them, aimed at the safety facts in new wordings
(adrenaline in the scanner after contrast, a red alert for iodine contrast, a creatinine
clearance of 12, gravida 2 para 1, 28/40, a bionic ear, a brain pacemaker) and at look-alikes (a
miscarriage two months ago, a coronary stent, a copper coil), in the emergency and GP styles and
a new one: a question typed into a clinical decision-support search box ("question").
``--set written22`` words a twenty-second batch (prefix b), written after written21's fixes and
before any run on them (a reaction after "the injection for a CT" with no contrast word, a
medical alert bracelet, kidneys failing before dialysis, 14 weeks along, a heart pacing box,
shotgun pellets, a vagal nerve stimulator; look-alikes such as a rash after gadolinium, breast
implants), in the GP and ward styles and a new one: the history told in time order
("timeline").
``--set written23`` words a twenty-third batch of 40 sheets (prefix c), written after
written22's fixes and before any run on them (an allergy list naming Omnipaque, a face that
"blew up like a balloon" after dye, an eGFR of 14, a failing kidney transplant, twins, G3P2 at
22/52, a first antenatal booking, bullet fragments, a baclofen pump, iron filings in an eye, a
sacral nerve stimulator; look-alikes such as breastfeeding, a panic attack in an MRI scanner, an
allergy to sticking plasters, contrast given before without a problem), in the emergency and
clinic-letter styles and a new one: a medical student presenting the case on a ward round
("presentation"). ``--set written24`` words a twenty-fourth batch of 40 sheets (prefix r),
written after written23's fixes and before any run on them (Visipaque on a drug chart, resus
after contrast, a record warning against iodinated media, a creatinine in mg/dL, a fistula
awaited for dialysis, dialysis through a tube in the tummy, 32+4 weeks, an IVF pregnancy, a
30-week bump, a gastric stimulator and a phrenic nerve pacer labelled MR unsafe, shrapnel;
look-alikes such as a sister's contrast reaction, shellfish and bee-sting allergies, a
hysterectomy, amalgam fillings and tattoos), in the emergency and telephone styles and a new
one: a GP's summary of a video consultation ("telehealth"). ``--set written25`` words a
twenty-fifth batch of 40 sheets (prefix i), written after written24's fixes and before any run
on them (a crash call after contrast, steroid cover for contrast, eyes and lips swollen after
an IVU, Ultravist, contrast-induced anaphylaxis, CAPD, a transplant with an eGFR of 24, kidney
function called very poor, hardly any urine, an EDD in six weeks, 18 weeks' gestation, due in
four months, a surrogate pregnancy, a CRT-D, an occipital and a hypoglossal nerve stimulator, a
metal foreign body in the orbit; look-alikes such as a Betadine allergy, a pregnant wife, a
birth two weeks ago, a gadolinium MRI without a problem, dentures and a removable hearing aid),
in the GP and ward styles and a new one: a request typed in a hurry on a phone, with typing
slips ("typos").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time

from common import ROOT
from radgen.text.llm.base import message
from radgen.text.llm.llamacpp import LlamaCppBackend

TWO, THREE = ("ed", "gp"), ("ed", "gp", "ward")


def _whole(name: str, styles: tuple[str, ...]) -> tuple[str, str, bool, tuple[str, ...]]:
    """A batch held out whole, its files named after it."""
    return f"protocol_specs_{name}.jsonl", f"protocol_scenarios_{name}.jsonl", True, styles


SETS = {  # set name: (fact sheets, requests, whether the whole set is held out, styles)
    "written": ("protocol_specs_written.jsonl", "protocol_scenarios_written.jsonl", False, TWO),
    "written2": _whole("written2", TWO),
    "written3": _whole("written3", TWO),
    "written4": _whole("written4", THREE),
    "written5": _whole("written5", THREE),
    "written6": _whole("written6", ("ed", "sbar", "clinic")),
    "written7": _whole("written7", ("gp", "ward", "triage")),
    "written8": _whole("written8", ("ed", "paramedic", "email")),
    "written9": _whole("written9", ("gp", "clinic", "phone")),
    "written10": _whole("written10", ("ed", "ward", "form")),
    "written11": _whole("written11", ("gp", "triage", "order")),
    "written12": _whole("written12", ("ed", "email", "message")),
    "written13": _whole("written13", ("gp", "ward", "dictated")),
    "written14": _whole("written14", ("ed", "clinic", "handover")),
    "written15": _whole("written15", ("ed", "phone", "ehr")),
    "written16": _whole("written16", ("ed", "gp", "soap")),
    "written17": _whole("written17", ("gp", "phone", "notes")),
    "written18": _whole("written18", ("ed", "ward", "aus")),
    "written19": _whole("written19", ("ed", "clinic", "bullets")),
    "written20": _whole("written20", ("gp", "order", "esl")),
    "written21": _whole("written21", ("ed", "gp", "question")),
    "written22": _whole("written22", ("gp", "ward", "timeline")),
    "written23": _whole("written23", ("ed", "clinic", "presentation")),
    "written24": _whole("written24", ("ed", "phone", "telehealth")),
    "written25": _whole("written25", ("gp", "ward", "typos")),
}
WRITER = "qwen2.5-coder-1.5b"
STYLES = {
    "ed": "Write it as a busy emergency doctor writes on an imaging request form: one terse"
    " line in shorthand, as in this example for other facts: 'Facts: woman aged 70; swollen"
    " painful left wrist; suspected gout' -> '70F, swollen painful L wrist, ?gout'.",
    "gp": "Write it as a family doctor's referral to radiology: two or three plain sentences,"
    " as in this example for other facts: 'Facts: woman aged 70; swollen painful left wrist;"
    " suspected gout' -> 'I would be grateful for your advice about this 70-year-old lady, who"
    " has a swollen and painful left wrist. I suspect gout.'",
    "ward": "Write it as a hospital doctor's electronic imaging order: a short clinical question"
    " followed by the relevant history, as in this example for other facts: 'Facts: woman aged"
    " 70; swollen painful left wrist; suspected gout' -> 'Clinical question: crystal arthropathy"
    " of the left wrist? History: 70 year old female, acutely swollen and painful left wrist.'",
    "sbar": "Write it as a nurse practitioner's telephone handover in SBAR form (situation,"
    " background, assessment, request), in one or two sentences, as in this example for other"
    " facts: 'Facts: woman aged 70; swollen painful left wrist; suspected gout' -> 'S: 70yo"
    " lady with an acutely swollen painful L wrist. B: nil significant. A: query gout. R: please"
    " advise on imaging.'",
    "clinic": "Write it as a hospital specialist's clinic letter asking radiology for help: a"
    " sentence of history and a sentence of findings, as in this example for other facts:"
    " 'Facts: woman aged 70; swollen painful left wrist; suspected gout' -> 'I saw this"
    " 70-year-old woman in clinic today with a swollen, painful left wrist. On examination the"
    " wrist is warm and tender, and I wonder about gout.'",
    "triage": "Write it as an emergency department triage nurse's note: the presenting complaint,"
    " then history and observations in short fragments separated by slashes, as in this"
    " example for other facts: 'Facts: woman aged 70; swollen painful left wrist; suspected"
    " gout' -> 'PC: painful swollen L wrist / 70 y female / warm to touch / ?gout'.",
    "paramedic": "Write it as a paramedic's pre-alert call to the emergency department, in one"
    " or two spoken sentences, as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> 'Pre-alert: we are bringing in a"
    " 70-year-old female with a swollen, painful left wrist; the crew suspect gout.'",
    "email": "Write it as a short informal e-mail from one doctor to the duty radiologist, as in"
    " this example for other facts: 'Facts: woman aged 70; swollen painful left wrist;"
    " suspected gout' -> 'Hi, could you advise on a 70-year-old lady I saw today with a swollen,"
    " painful left wrist? I think it is probably gout. Thanks.'",
    "phone": "Write it as a junior doctor's telephone call to the radiology registrar, as"
    " spoken, in one or two sentences, as in this example for other facts: 'Facts: woman aged"
    " 70; swollen painful left wrist; suspected gout' -> 'Hello, I am calling about a"
    " 70-year-old lady on our ward whose left wrist has become swollen and painful; we think it"
    " may be gout.'",
    "form": "Write it as an outpatient referral form: labelled fields, one per line, using only"
    " the fields the facts give, as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> 'Patient: 70-year-old female\nPresenting"
    " complaint: swollen, painful left wrist\nProvisional diagnosis: gout'.",
    "order": "Write it as the 'reason for exam' of an American hospital's electronic order, in"
    " the usual abbreviations (y/o, F/M, hx, s/p, r/o, w/, c/o), as in this example for other"
    " facts: 'Facts: woman aged 70; swollen painful left wrist; suspected gout' -> '70 y/o F c/o"
    " swollen painful L wrist, r/o gout'.",
    "message": "Write it as a doctor's quick instant message to the radiology department on the"
    " hospital chat, informal and in lower case, as in this example for other facts: 'Facts:"
    " woman aged 70; swollen painful left wrist; suspected gout' -> 'hi rads, got a 70 yr old"
    " lady with a swollen sore left wrist, think it's gout, what would you do?'",
    "dictated": "Write it as a doctor's request dictated into speech-recognition software and"
    " left uncorrected: one run-on sentence with almost no punctuation, as in this example for"
    " other facts: 'Facts: woman aged 70; swollen painful left wrist; suspected gout' -> '70"
    " year old lady with a swollen painful left wrist query gout please advise'",
    "handover": "Write it as a doctor's spoken handover of one patient to the night team, who"
    " must arrange the imaging, as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> 'Next is a 70-year-old lady in bed 4 with a"
    " swollen, painful left wrist; we think it's gout, so she needs imaging tonight.'",
    "ehr": "Write it as an imaging request filled in by an electronic health record: the"
    " fields it fills from the chart (allergies, problem list, medications, pregnancy status)"
    " where the facts give them, then the clinical question in the doctor's words, as in this"
    " example for other facts: 'Facts: woman aged 70 on allopurinol; swollen painful left"
    " wrist; suspected gout' -> 'Age/sex: 70 F | Medications: allopurinol | Clinical"
    " question: swollen painful L wrist, ?gout'.",
    "soap": "Write it as a SOAP note in a doctor's clinical record, ending with the request for"
    " imaging advice, as in this example for other facts: 'Facts: woman aged 70; swollen"
    " painful left wrist; suspected gout' -> 'S: 70F, L wrist painful and swollen since"
    " yesterday. O: warm, tender L wrist. A: ?gout. P: imaging advice please.'",
    "notes": "Write it as a doctor's entry in the hospital notes under the usual British"
    " headings (PC, HPC, PMH, O/E, Imp, Plan), one short fragment after each heading the facts"
    " fill, as in this example for other facts: 'Facts: woman aged 70; swollen painful left"
    " wrist; suspected gout' -> 'PC: 70F, painful swollen L wrist. O/E: hot, tender L wrist."
    " Imp: ?gout. Plan: d/w radiology re imaging.'",
    "aus": "Write it as an Australian emergency registrar's imaging request in the local"
    " shorthand (pt, yo, Hx, O/E, Ix, NKDA, ?), as in this example for other facts: 'Facts:"
    " woman aged 70; swollen painful left wrist; suspected gout' -> 'Pt 70yo F, Hx nil, O/E"
    " hot swollen L wrist, ?gout, pls advise re Ix'.",
    "bullets": "Write it as a referral typed as a short bulleted list, one fact to a line, each"
    " line starting with '- ', as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> '- 70-year-old woman\n- left wrist swollen"
    " and painful\n- ?gout'.",
    "esl": "Write it as a doctor whose first language is not English writes an imaging request:"
    " clear, but with small slips of grammar and word order, as in this example for other"
    " facts: 'Facts: woman aged 70; swollen painful left wrist; suspected gout' -> 'Patient is"
    " lady of 70 years, she has the left wrist swelled and painful since yesterday. I am"
    " thinking it is gout, please to advise.'",
    "question": "Write it as a question a doctor types into a clinical decision-support search"
    " box: one sentence asking how to investigate this patient, with the facts packed into it,"
    " as in this example for other facts: 'Facts: woman aged 70; swollen painful left wrist;"
    " suspected gout' -> 'how best to investigate a 70 yo woman with a swollen painful left"
    " wrist, ?gout'.",
    "timeline": "Write it as a doctor telling the story in time order, each step with when it"
    " happened, then the question, as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> '70-year-old woman. Yesterday evening: left"
    " wrist became painful. This morning: wrist swollen and hot. Now: could this be gout?'",
    "presentation": "Write it as a medical student presenting the patient to the consultant on"
    " a ward round, in two or three spoken sentences ending with the question, as in this"
    " example for other facts: 'Facts: woman aged 70; swollen painful left wrist; suspected"
    " gout' -> 'This is a 70-year-old lady who came in with a swollen, painful left wrist. It"
    " is warm to touch, and I wondered whether it could be gout.'",
    "telehealth": "Write it as the summary a family doctor types into the record after a video"
    " consultation, in two sentences, the second asking radiology for advice, as in this"
    " example for other facts: 'Facts: woman aged 70; swollen painful left wrist; suspected"
    " gout' -> 'Video consultation with a 70-year-old woman: her left wrist has been swollen"
    " and painful since yesterday, and I suspect gout. Advice on imaging would be welcome.'",
    "typos": "Write it as a doctor types an imaging request in a hurry on a phone: one or two"
    " short sentences with two or three typing slips (a letter missed, doubled or swapped) that"
    " a reader can still follow, as in this example for other facts: 'Facts: woman aged 70;"
    " swollen painful left wrist; suspected gout' -> '70 yr old woamn, swollen paniful left"
    " wrist, ?goutt'.",
}
SYSTEM = (
    "You write realistic clinical requests for testing a hospital system. Keep every fact"
    " given (age, sex, pregnancy, history, examination, test results), in your own words, and"
    " add nothing. Do not suggest or name any imaging test. No headings, names or"
    " placeholders. Answer with the request text only."
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="written", choices=sorted(SETS))
    args = parser.parse_args()
    specs_name, out_name, all_held, style_names = SETS[args.set]
    styles = {name: STYLES[name] for name in style_names}
    n_styles = len(styles)
    specs_path, out_path = ROOT / "data" / specs_name, ROOT / "data" / out_name
    specs = [json.loads(line) for line in specs_path.read_text().splitlines() if line.strip()]
    order = list(range(len(specs)))
    random.Random(20261129).shuffle(order)
    held = set(range(len(specs))) if all_held else set(order[: len(order) // 2])
    backend = LlamaCppBackend(WRITER, threads=2)
    rows = []
    t0 = time.perf_counter()
    for i, spec in enumerate(specs):
        for style, how in styles.items():
            text = backend.chat(
                [
                    message("system", SYSTEM),
                    message("user", f"Facts: {spec['facts']}\n\n{how}"),
                ],
                max_tokens=90,
            )
            request = " ".join(text.strip().strip('"').split())
            row = {
                "id": f"{spec['spec']}{style}",
                "split": "held" if i in held else "dev",
                "request": request,
                "kind": spec["kind"],
                "accept": spec["accept"],
                "style": style,
                "spec": spec["spec"],
            }
            row.update({k: spec[k] for k in ("no_ionising", "no_iodinated", "no_mri") if k in spec})
            rows.append(row)
            elapsed = time.perf_counter() - t0
            print(f"{len(rows)}/{n_styles * len(specs)} {elapsed:.0f}s", flush=True)
    out_path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {
        "writer": WRITER,
        "styles": styles,
        "system": SYSTEM,
        "specs_sha256": hashlib.sha256(specs_path.read_bytes()).hexdigest(),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
    }
    out_path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
