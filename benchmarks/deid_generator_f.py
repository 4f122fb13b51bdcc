"""Generator F: a second set of model-written documents, in kinds and locales E never used.

E's first run (a held-out figure) showed that text whose layout radgen's author did not write
finds misses that his own generators (A, C, D) do not. Once read, E is development. F repeats
the recipe with what E lacked, so that its first run is again a held-out figure for the
detector of its day:
- twelve other document kinds (an appointment letter, a consent form, an insurance claim, an
  implant safety checklist, a RIS access log, a peer-review note...);
- other locales (Colombian, Argentine, Hungarian, Romanian, Finnish, Norwegian, Croatian,
  Slovak, Austrian, Swiss, Canadian French, Portuguese, Indonesian, Vietnamese, Filipino,
  Irish) beside English ones;
- identifiers E's sheets never hold: a national ID or social security number, an insurance
  member number, a fax number, an implant's serial number, a portal web address, the
  doctor's registration number and the IP address of a workstation.

The frame is written by the same local 1.5B model (E's prompt and gold labelling, imported),
around a PHI-free radlabels report (held-out half, MIT). Gold spans are the sheet's values
found in the output, as for E: PHI the model invented is not gold.

Written 2026-12-02 (stop 47) and committed before any document was generated. Its first run
prints aggregate numbers only and is held out; after it, F is development like E.

    .venv/bin/python benchmarks/deid_generator_f.py --write 120   # the 1.5B; ~25 min, 2 cores
    .venv/bin/python benchmarks/deid_generator_f.py               # misses (development only)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import ROOT
from deid_generator_c import CDocument, report_misses
from deid_generator_e import Facts, Sheet, load_corpus_e, write

DATA = ROOT / "data" / "deid_generator_f.jsonl"
LOCALES = [
    "en_US", "en_US", "en_US", "en_GB", "en_GB", "en_IN", "en_AU", "es_CO", "es_AR", "hu_HU",
    "ro_RO", "fi_FI", "no_NO", "hr_HR", "sk_SK", "de_AT", "de_CH", "fr_CH", "fr_CA", "pt_PT",
    "id_ID", "vi_VN", "fil_PH", "ga_IE",
]  # fmt: skip
STYLES = {
    "appointment": "a letter inviting the patient to this examination, with the patient's"
    " address block, the appointment date, what to bring, and the booking office's contact",
    "consent": "a signed consent form for a CT-guided biopsy that follows this examination,"
    " with the patient's details, the doctor who took consent, and the signatures",
    "claim": "an insurance claim for this examination, with the patient's insurance details,"
    " the billing provider and the amount",
    "implant": "an MRI safety screening checklist for a patient with an implanted device,"
    " with the device's details, the patient's details and the checking radiographer",
    "access_log": "lines of the radiology information system's access log for this report:"
    " who opened or changed it, when, and from which workstation",
    "peer_review": "a peer-review note in which a second radiologist disagrees with the first"
    " report on this examination, naming both radiologists and the patient",
    "outside": "the header of an overread of outside images sent in from another hospital,"
    " with the outside hospital's details and the patient's identifiers",
    "teaching": "a teaching-file submission of this case by a registrar, which by mistake"
    " still carries the patient's identifiers",
    "ward_handover": "a nurse's handover note for an inpatient going down for this"
    " examination, with the ward, the patient's details and the next of kin to call",
    "clinic_note": "an outpatient clinic letter from the respiratory physician that discusses"
    " this result, with the clinic's letterhead, the patient's details and the signature",
    "complaint": "a reply from the patient-relations office to a complaint about the delay"
    " in this report, addressed to the patient",
    "research": "a screening note for a research study that this patient was asked to join,"
    " with the patient's identifiers and the research nurse's contact",
}


class FactsF(Facts):
    """E's sheet, in F's locales, with identifiers E never drew."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed, LOCALES)

    def sheet(self) -> Sheet:
        s = super().sheet()
        r = self.rng
        f = self.fakers[r.choice(self.locales)]
        digits = lambda n: "".join(r.choice("0123456789") for _ in range(n))  # noqa: E731
        member = f"{r.choice(['', 'MBR', 'W', 'XJ'])}{digits(9)}"
        serial = f"{r.choice(['PJN', 'RNG', 'SN'])}{digits(6)}"
        registry = r.choice(["GMC", "NPI", "registration"])
        ip = ".".join(str(r.randrange(1, 255)) for _ in range(4))
        extra = [
            ("national ID / social security number", f.ssn(), "ID", 0.4),
            ("insurance member number", member, "ID", 0.4),
            ("fax", self.phone(f), "PHONE", 0.3),
            ("device serial number", serial, "DEVICE", 0.25),
            ("portal address", f"https://portal.{f.domain_name()}/p/{digits(6)}", "URL", 0.2),
            (f"doctor's {registry} number", digits(7), "ID", 0.3),
            ("workstation IP address", ip, "IP", 0.2),
        ]
        for label_text, value, category, p in extra:
            if r.random() < p:
                s.items.append((label_text, value, category))
        return s


def load_corpus_f(limit: int | None = None) -> list[CDocument]:
    return load_corpus_e(limit, data=DATA)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=int, default=0, help="generate N documents first")
    args = parser.parse_args()
    if args.write:
        seed = 2026_12_02
        write(
            args.write,
            seed,
            facts=FactsF(seed),
            data=DATA,
            styles_text=STYLES,
            prefix="f",
            script=Path(__file__),
        )
    else:
        report_misses(load_corpus_f())


if __name__ == "__main__":
    main()
