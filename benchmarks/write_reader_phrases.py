"""Phrases for the condition reader's training, worded by the local model, not by radgen's
author: each fact the reader scores (and its look-alikes that must not set it) in four
styles, sampled (temperature 0.9: greedy lists repeat one phrase). A phrase is kept only if
it speaks of its topic (``ON_TOPIC``; 504 of 575 were). Training inserts each phrase into
example requests that do not state the fact (``radgen.text.protocol.reader_train.augmented``),
so the reader sees many more ways of saying "reacted to contrast" than the 45 example requests
hold. The phrases are noisy: some positives are vague and some look-alikes are odd.

The prompts name the fact in general words and give no example wording. The same local model
also writes the held-out request batches (from fact sheets, with other prompts), so the two
are not independent of each other; the README says so.

    .venv/bin/python benchmarks/write_reader_phrases.py   # about 7 min on 2 cores
    .venv/bin/python benchmarks/write_reader_phrases.py --refilter   # re-read saved replies
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time

from common import ROOT
from radgen.text.llm.base import message
from radgen.text.llm.llamacpp import LlamaCppBackend

OUT = ROOT.parent / "src/radgen/assets/protocol/reader_phrases.jsonl"
WRITER = "qwen2.5-coder-1.5b"
PER_PROMPT = 8
SEEDS = {"fact": (1, 2, 3), "none": (1, 2)}  # sampled calls per topic and style
# label: (what the phrases must say); "none" phrases must not set any fact
TOPICS = {
    "contrast_reaction": "the patient once had an allergic or other bad reaction to iodinated"
    " contrast (the dye injected for CT scans or angiograms); vary the reaction and how it is"
    " described",
    "pregnant": "the patient is pregnant now; vary how far along she is and how it is said",
    "kidney": "the patient's kidneys work very poorly (severe or end-stage chronic kidney"
    " disease, dialysis, or a very low eGFR); vary how it is said",
    "mri_device": "the patient has an implanted electronic device or metal in the body that"
    " makes MRI unsafe; vary the device and how it is said",
    "none:other_allergy": "the patient is allergic to something that is not contrast dye (a"
    " medicine, a food, latex, an insect sting)",
    "none:no_allergy": "the patient has no allergies, or no known reaction to contrast dye, or"
    " had contrast before without any problem",
    "none:not_pregnant": "the patient is not pregnant now (a negative test, after the"
    " menopause, or she gave birth recently)",
    "none:kidney_fine": "the patient's kidney function is normal or only mildly reduced",
    "none:mri_safe": "the patient has no implants, or has an implant or device that is safe"
    " for MRI, or had a device removed",
    "none:other_history": "a past medical history item unrelated to allergies, pregnancy,"
    " kidneys or implants",
}
STYLES = {
    "shorthand": "as terse shorthand fragments on an emergency imaging request form",
    "letter": "as plain sentences in a family doctor's referral letter",
    "spoken": "as a nurse or junior doctor would say it on the telephone",
    "order": "as in an American hospital order, with its usual abbreviations",
}
SYSTEM = (
    "You help build test data for a hospital system. Answer with a numbered list only: one"
    " short phrase per line, each different in wording, no explanations."
)


def phrases(text: str) -> list[str]:
    """The numbered lines of a reply, cleaned."""
    out = []
    for line in text.splitlines():
        m = re.match(r"\s*(?:\d+[.)]|[-*\u2022])\s*(.+)", line)
        if m:
            phrase = m.group(1).strip().strip('"').strip()
            if 3 <= len(phrase) <= 160:
                out.append(phrase)
    return out


# A phrase is kept only if it speaks of its topic: the sampled lists drift ("abnormal cardiac
# rhythm" among kidney phrases, "a contrast dye allergy" among other allergies)
ON_TOPIC = {
    "contrast_reaction": r"contrast|dye|iodin|angiogra|\bCT\b|scan|imaging|x-ray|radiolog",
    "pregnant": r"pregnan|gravid|trimester|gestation|weeks?\b|\bwk|expect|baby|antenatal|due|"
    r"f[o]?etus|\bG\d",
    "kidney": r"kidney|renal|dialys|e?GFR|nephr|CKD|ESRD|creatinine|transplant",
    "mri_device": r"implant|pacemaker|defibrillator|\bICD\b|stimulator|metal|clip|cochlear|"
    r"device|shrapnel|fragment|pump|prosthe|wire|\blead",
    "none:other_allergy": r"^(?!.*(?:contrast|dye|iodin)).*allerg",
}


def on_topic(phrase: str, topic: str) -> bool:
    pattern = ON_TOPIC.get(topic)
    return pattern is None or bool(re.search(pattern, phrase, re.I))


def kept(replies: list[dict]) -> list[dict]:
    """The phrases of the replies that speak of their topic, first wording of each kept."""
    rows = []
    for r in replies:
        label = r["topic"] if ":" not in r["topic"] else "none"
        rows += [
            {
                "phrase": p,
                "fact": label,
                "topic": r["topic"],
                "style": r["style"],
                "seed": r["seed"],
            }
            for p in phrases(r["reply"])
            if on_topic(p, r["topic"])
        ]
    seen: set[str] = set()
    return [r for r in rows if not (r["phrase"].lower() in seen or seen.add(r["phrase"].lower()))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--refilter", action="store_true", help="re-read the saved replies (no generation)"
    )
    meta_path = ROOT / "data" / "reader_phrases.meta.json"
    if parser.parse_args().refilter:
        meta = json.loads(meta_path.read_text())
        write(kept(meta["replies"]), meta["replies"], meta_path)
        return
    backend = LlamaCppBackend(WRITER, threads=2)
    replies, t0 = [], time.perf_counter()
    for topic, what in TOPICS.items():
        for style, how in STYLES.items():
            ask = (
                f"Write {PER_PROMPT} different short phrases that say {what}, written {how}."
                " Each phrase must make sense inserted into an imaging request."
            )
            for seed in SEEDS["none" if ":" in topic else "fact"]:
                out = backend._llm.create_chat_completion(  # sampled: greedy lists repeat
                    [message("system", SYSTEM), message("user", ask)],
                    max_tokens=300,
                    temperature=0.9,
                    top_p=0.95,
                    repeat_penalty=1.15,
                    seed=seed,
                )
                reply = out["choices"][0]["message"]["content"] or ""
                replies.append({"topic": topic, "style": style, "seed": seed, "reply": reply})
                print(f"{topic}/{style}/{seed} ({time.perf_counter() - t0:.0f}s)", flush=True)
    write(kept(replies), replies, meta_path)


def write(rows: list[dict], replies: list[dict], meta_path) -> None:
    OUT.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {
        "writer": WRITER,
        "system": SYSTEM,
        "topics": TOPICS,
        "styles": STYLES,
        "sampling": {"temperature": 0.9, "top_p": 0.95, "repeat_penalty": 1.15, "seeds": SEEDS},
        "on_topic": ON_TOPIC,
        "phrases": len(rows),
        "sha256": hashlib.sha256(OUT.read_bytes()).hexdigest(),
        "replies": replies,
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    print(len(rows), "phrases ->", OUT)


if __name__ == "__main__":
    main()
