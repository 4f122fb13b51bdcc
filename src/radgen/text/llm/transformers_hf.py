"""Hugging Face transformers backend for HF-format checkpoints in a local folder.

This is the path LoRA fine-tuning will use. No hub access: the folder must hold the model
and tokenizer. There is no constrained decoding here, so JSON requests rely on
:func:`radgen.text.llm.structured.generate_json` to validate, repair and retry.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from radgen.errors import RadgenError
from radgen.text.llm.base import Message, check_fits


class TransformersBackend:
    is_remote = False

    def __init__(self, model_dir: str | Path, *, device: str = "cpu", seed: int = 0) -> None:
        path = Path(model_dir)
        if not (path / "config.json").is_file():
            raise RadgenError("not a Hugging Face model folder (no config.json)", path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        torch.manual_seed(seed)
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True)
        self.model.to(device).eval()
        self.device = device
        self.name = f"transformers:{path.name}"
        self.context_length = int(getattr(self.model.config, "max_position_embeddings", 2048))

    def _inputs(self, messages: list[Message]) -> Any:
        if getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        else:  # base models: a plain transcript
            text = "\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\nassistant:"
        return self.tokenizer(text, return_tensors="pt").to(self.device)

    def _generate_kwargs(self, max_tokens: int) -> dict[str, Any]:
        pad = self.tokenizer.pad_token_id or self.tokenizer.eos_token_id
        return {"max_new_tokens": max_tokens, "do_sample": False, "pad_token_id": pad}

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        import torch

        check_fits(self, messages, max_tokens)
        inputs = self._inputs(messages)
        with torch.no_grad():
            out = self.model.generate(**inputs, **self._generate_kwargs(max_tokens))
        new = out[0, inputs["input_ids"].shape[1] :]
        return self.tokenizer.decode(new, skip_special_tokens=True)

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str:
        return self.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens)

    def stream(self, messages: list[Message], *, max_tokens: int = 256) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        check_fits(self, messages, max_tokens)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs = {
            **self._inputs(messages),
            **self._generate_kwargs(max_tokens),
            "streamer": streamer,
        }
        worker = threading.Thread(target=self.model.generate, kwargs=kwargs, daemon=True)
        worker.start()
        yield from (piece for piece in streamer if piece)
        worker.join()

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
