"""Unisight's scale-out trainer: the desktop's encoder, tokenizer, augmentation and InfoNCE in plain PyTorch, for
torchrun and SLURM. The desktop (Unisight) writes the bundle this reads and imports the checkpoint it writes."""
