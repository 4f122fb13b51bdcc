"""Label each bundled example request with the safety facts its text states, for the
condition reader (``conditions`` in ``src/radgen/assets/protocol/examples.jsonl``).

A written batch's request is labelled from its fact sheet, read by the rules' patterns (the
sheets are plain prose); the four hand-written sets have no sheets and are read from the
request. Where the writer dropped a fact the sheet states, or stated one the sheet does not,
the label follows the request's text: the list below was made by reading every request
where the sheet's facts and the rules' reading of the request disagree (30 of 2,258, 3 more once
stage 5 kidney disease was read on their sheets, and 5 of written18's 80; none of written19's
and written20's 172, where the three that disagree keep their sheet's label: e03clinic's
creatinine of 310 and e04ed's 'throat closed, CT contrast' state what the rules do not read, and
d28order's 'hx of pregnancy' is a past one); one of written24's 73, where the sheet's contrast
reaction is the patient's sister's).

Run: python benchmarks/label_protocol_conditions.py  (rewrites the file in place)
"""

from __future__ import annotations

import json
from pathlib import Path

from radgen.text.protocol import request as rules

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT.parent / "src/radgen/assets/protocol/examples.jsonl"

# (set, id): facts the text states that its sheet does not (+) or drops (-)
BY_HAND = {
    ("written", "s25ed"): {"-pregnant"},  # "33F, swollen L leg, DVT"
    ("written3", "u16ed"): {"-pregnant"},
    ("written3", "u39ed"): {"+pregnant"},  # "P+P": a positive pregnancy test
    ("written4", "v61gp"): {"+pregnant"},  # "a 27-year-old woman who is pregnant"
    ("written9", "p15clinic"): {"-pregnant"},
    ("written9", "p15phone"): {"-pregnant"},
    ("written11", "n18gp"): {"-pregnant"},
    ("written11", "n18triage"): {"+pregnant"},  # "33 y female / 20w"
    ("written11", "n58triage"): {"+pregnant"},  # "22 y female / pregnant"
    ("written12", "m18email"): {"-pregnant"},
    ("written12", "m18message"): {"-pregnant"},
    ("written13", "k19dictated"): {"-pregnant"},
    ("written14", "j30ed"): {"+mri_device"},  # "cochlear I"
    # sheets whose reaction the rules do not read (their no_iodinated flag says it)
    ("written15", "h01phone"): {"+contrast_reaction"},  # adrenaline after X-ray dye
    ("written15", "h02ed"): {"+contrast_reaction"},  # itching, flushing ... contrast
    ("written15", "h02phone"): {"+contrast_reaction"},
    ("written15", "h02ehr"): {"+contrast_reaction"},
    ("written15", "h08phone"): {"+contrast_reaction"},  # resus after contrast
    # written16's sheets whose reaction or pregnancy the rules do not read (their flags say it)
    ("written16", "g01gp"): {"+contrast_reaction"},  # an adrenaline pen when the contrast went in
    ("written16", "g02gp"): {"+contrast_reaction"},  # puffed up lips during the dye injection
    ("written16", "g02soap"): {"+contrast_reaction"},
    ("written16", "g03gp"): {"+contrast_reaction"},  # itchy skin and a tight chest after contrast
    ("written16", "g03soap"): {"+contrast_reaction"},
    ("written16", "g07ed"): {"+pregnant"},  # "29F, 14W"
    ("written16", "g08ed"): {"+pregnant"},  # "33F, 20wks"
    ("written16", "g08gp"): {"+pregnant"},  # "carrying her second child, about 20 weeks along"
    ("written16", "g08soap"): {"+pregnant"},
    # stage 5 kidney disease on the sheet, read since written18's fixes, dropped by the writer
    ("written14", "j02ed"): {"-kidney"},
    ("written14", "j02clinic"): {"-kidney"},  # "a sign of kidney disease": a guess, no stage
    ("written16", "g06ed"): {"-kidney"},
    # written18: a swollen throat and adrenaline beside X-ray dye, which the rules do not read
    # on the sheet or the request (the sheet's no_iodinated flag says it); the positive
    # pregnancy test dropped from g08's emergency and ward wordings
    ("written18", "g00ed"): {"+contrast_reaction"},
    ("written18", "g00ward"): {"+contrast_reaction"},
    ("written18", "g00aus"): {"+contrast_reaction"},
    ("written18", "g08ed"): {"-pregnant"},
    ("written18", "g08ward"): {"-pregnant"},
    # written24: the reaction on r15's sheet is the patient's sister's (a look-alike), which
    # the rules read as hers; the request kept neither
    ("written24", "r15telehealth"): {"-contrast_reaction"},
}


def stated(text: str) -> set[str]:
    """The reader's facts as the rules read them in ``text``."""
    facts = rules.parse_request(text)
    out = set()
    if facts.pregnant:
        out.add("pregnant")
    if rules.iodinated_reaction(text) or rules.gadolinium_reaction(text):
        out.add("contrast_reaction")
    if (facts.egfr is not None and facts.egfr < 30) or rules.kidney_failure(text):
        out.add("kidney")
    if facts.has("mri_contraindicated"):
        out.add("mri_device")
    return out


def main() -> None:
    sheets: dict[str, dict[str, str]] = {}
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]
    for row in rows:
        where, rid = row["source"].split(":")
        name = where.split("/")[1]
        if name.startswith("written"):
            if name not in sheets:
                data = ROOT / "data"
                facts = {
                    s["spec"]: s["facts"]
                    for s in map(json.loads, (data / f"protocol_specs_{name}.jsonl").open())
                }
                sheets[name] = {
                    r["id"]: facts[r["spec"]]
                    for r in map(json.loads, (data / f"protocol_scenarios_{name}.jsonl").open())
                }
            labels = stated(sheets[name][rid])
        else:
            labels = stated(row["request"])
        for change in BY_HAND.get((name, rid), ()):
            (labels.add if change[0] == "+" else labels.discard)(change[1:])
        row["conditions"] = sorted(labels)
    EXAMPLES.write_text("".join(json.dumps(r) + "\n" for r in rows))
    facts = ("pregnant", "contrast_reaction", "kidney", "mri_device")
    counts = {f: sum(f in r["conditions"] for r in rows) for f in facts}
    print(len(rows), counts)


if __name__ == "__main__":
    main()
