"""``radgen deid train``: fine-tune the PHI tagger on synthetic PHI through the shared loop
(checkpoints, exact resume, loss curve, a development score every epoch)."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from radgen.errors import RadgenError
from radgen.privacy.config import TaggerTrainConfig
from radgen.privacy.phi_synth import synthetic_corpus
from radgen.privacy.tagger import (
    LABELS,
    TaggerNet,
    TaggerSpec,
    char_labels,
    default_weights,
    encode,
    load_tokenizer,
    piece_labels,
)
from radgen.runs.device import resolve_device
from radgen.runs.loop import Batch, BatchStream, LoopSettings, train_loop
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything


@dataclass
class LabelledDoc:
    """A document from the user's JSONL: PHI spans, and spans left out of the loss."""

    text: str
    spans: list[tuple[int, int, str]]
    ignore: list[tuple[int, int]] = field(default_factory=list)


def _spans(row: dict, key: str, n: int, where: str, labelled: bool) -> list[tuple]:
    out = []
    for item in row.get(key, []):
        if not isinstance(item, list | tuple) or len(item) != (3 if labelled else 2):
            raise RadgenError(
                f"{where}: each {key!r} item must be [start, end{', category' * labelled}]"
            )
        s, e = item[0], item[1]
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n):
            raise RadgenError(f"{where}: {key!r} span {item} lies outside the text ({n} chars)")
        if labelled and item[2] not in LABELS[1:]:
            raise RadgenError(
                f"{where}: unknown category {item[2]!r}; one of {', '.join(LABELS[1:])}"
            )
        out.append(tuple(item))
    return out


def labelled_docs(path: str | Path) -> list[LabelledDoc]:
    """Read labelled documents (``{"text", "spans", "ignore"}`` per line), failing on the
    first bad line with its number."""
    path = Path(path)
    if not path.is_file():
        raise RadgenError("labelled documents not found", path)
    docs = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{i}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise RadgenError(f"{where}: not JSON ({err.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise RadgenError(f"{where}: each line must be an object with a 'text' string")
        n = len(row["text"])
        docs.append(
            LabelledDoc(
                row["text"],
                _spans(row, "spans", n, where, labelled=True),
                _spans(row, "ignore", n, where, labelled=False),
            )
        )
    if not docs:
        raise RadgenError("no labelled documents in the file", path)
    return docs


def windows(docs: list, tokenizer: Any, max_length: int) -> dict[str, torch.Tensor]:
    """Every document's training windows as tensors (ids, mask, shapes, labels)."""
    parts: dict[str, list[torch.Tensor]] = {k: [] for k in ("ids", "mask", "shapes", "labels")}
    for doc in docs:
        enc = encode(tokenizer, doc.text, max_length, stride=max_length // 4)
        parts["ids"].append(enc.input_ids)
        parts["mask"].append(enc.attention_mask)
        parts["shapes"].append(enc.shapes)
        chars = char_labels(doc.text, doc.spans, getattr(doc, "ignore", ()))
        parts["labels"].append(piece_labels(enc, chars))
    return {k: torch.cat(v) for k, v in parts.items()}


def piece_f1(net: TaggerNet, data: dict[str, torch.Tensor], batch: int = 32) -> dict[str, float]:
    """PHI-vs-not precision, recall and F1 over word pieces of a labelled set."""
    net.eval()
    tp = fp = fn = 0
    with torch.inference_mode():
        for i in range(0, len(data["ids"]), batch):
            sl = slice(i, i + batch)
            logits = net(data["ids"][sl], data["mask"][sl], data["shapes"][sl])
            pred = logits.argmax(-1) > 0
            gold, valid = data["labels"][sl] > 0, data["labels"][sl] >= 0
            tp += int((pred & gold & valid).sum())
            fp += int((pred & ~gold & valid).sum())
            fn += int((~pred & gold & valid).sum())
    net.train()
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"dev_precision": p, "dev_recall": r, "dev_f1": 2 * p * r / max(p + r, 1e-9)}


class TaggerTask:
    """One LoRA step of token classification; only trainable tensors are checkpointed."""

    def __init__(self, net: TaggerNet, config: TaggerTrainConfig, dev: dict[str, torch.Tensor]):
        self.net, self.dev = net.train(), dev
        params = [p for p in net.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
        self.loss = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def train_step(self, batch: Batch) -> dict[str, float]:
        length = int(batch["mask"].sum(1).max())
        logits = self.net(
            batch["ids"][:, :length], batch["mask"][:, :length], batch["shapes"][:, :length]
        )
        loss = self.loss(logits.reshape(-1, len(LABELS)), batch["labels"][:, :length].reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
        self.opt.step()
        return {"loss": loss.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        return piece_f1(self.net, self.dev)

    def state_dict(self) -> dict[str, Any]:
        return {"net": self.net.trainable_state(), "opt": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"], strict=False)
        self.opt.load_state_dict(state["opt"])


def train_tagger(
    config: TaggerTrainConfig,
    *,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
    install: bool = False,
) -> dict[str, Any]:
    """Train, write ``phi_tagger.pt`` into the run, and optionally install it as the default."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    seed_everything(config.seed)
    spec = TaggerSpec(config.layers, config.rank, config.alpha, config.dropout)
    tokenizer = load_tokenizer()
    docs = synthetic_corpus(config.docs, seed=config.seed)
    for path in config.extra:
        docs += labelled_docs(path)
    train = windows(docs, tokenizer, config.max_length)
    dev_docs = synthetic_corpus(config.dev_docs, seed=config.seed + 10_000)
    dev = windows(dev_docs, tokenizer, config.max_length)
    net = TaggerNet(spec)
    device = resolve_device(config.device)
    net.to(device)
    task = TaggerTask(net, config, {k: v.to(device) for k, v in dev.items()})
    stream = BatchStream(train, config.batch_size, config.seed, device)
    settings = LoopSettings(config.steps, config.minutes, config.checkpoint_every, 10, progress)
    summary = train_loop(task, stream, run, settings, resume=resume)
    summary.update(piece_f1(net, task.dev))
    weights = run.root / "phi_tagger.pt"
    meta = {
        "trained": time.strftime("%Y-%m-%d"),
        "config": config.model_dump(mode="json"),
        "train_windows": len(train["ids"]),
        "dev": {k: round(v, 4) for k, v in summary.items() if k.startswith("dev_")},
    }
    state = {
        k: v.cpu().half() if v.is_floating_point() else v.cpu()
        for k, v in net.trainable_state().items()
    }
    torch.save(
        {"spec": spec.__dict__, "weights": state, "meta": meta, "threshold": config.threshold},
        weights,
    )
    summary["weights"] = str(weights)
    run.write_json("metrics.json", summary)
    if install:
        shutil.copyfile(weights, default_weights())
        summary["installed"] = str(default_weights())
    return summary


def predict_labels(net: TaggerNet, data: dict[str, torch.Tensor]) -> np.ndarray:
    """Argmax labels of every piece (for reproducibility tests)."""
    net.eval()
    with torch.inference_mode():
        return net(data["ids"], data["mask"], data["shapes"]).argmax(-1).numpy()
