"""Fine-tuning the local language model: LoRA instruction tuning (SFT), preference tuning (DPO),
and export back to llama.cpp as a GGUF LoRA adapter that every text task can load.

Modules: ``config`` (the pydantic configs), ``convert`` (GGUF to a Hugging Face folder),
``data`` (instruction pairs from labelled reports, tokenised with the answer masked in),
``lora`` (PEFT LoRA with one clear error for a bad config), ``sft`` and ``dpo`` (the two
training stages through the shared run loop), ``export`` (GGUF adapter and the registry of
fine-tuned models).
"""
