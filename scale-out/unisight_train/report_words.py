"""Word prediction from the image (ml/objectives/report-words.ts): a linear head on the L2-normalised image embedding
gives one logit per word of the bundle's vocabulary (bundle.json `reportWords`), trained with binary cross-entropy
against the words each sample's report asserts (its `words` in `<key>.json`), added to the contrastive loss."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class ReportWordHead(nn.Module):
    """`shares`: how often each word is asserted in the training split; the bias starts at its log-odds, so the first
    steps learn images rather than word frequencies (the desktop's start)."""

    def __init__(self, embedding_size, shares, generator=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(embedding_size, len(shares), generator=generator) * 0.02)
        clipped = [min(1 - 1e-3, max(1e-3, share)) for share in shares]
        self.bias = nn.Parameter(torch.tensor([math.log(share / (1 - share)) for share in clipped]))

    def forward(self, image_embeddings):
        return image_embeddings.float() @ self.weight + self.bias


def word_prediction_loss(logits, targets):
    """Mean binary cross-entropy over the batch and the vocabulary."""
    return F.binary_cross_entropy_with_logits(logits, targets)


def word_targets(samples, positions, words):
    """[batch, words] of 0 and 1: where each sample's report asserts the word (from the whole report, whatever part of
    it the text side reads: the image shows all of it)."""
    targets = torch.zeros(len(positions), words)
    for row, (_, index) in enumerate(positions):
        for position in samples[index]["meta"].get("words", []):
            targets[row, position] = 1
    return targets
