"""Symmetric InfoNCE with a learnable temperature (CLIP; ml/objectives/info-nce.ts). Under DDP every rank scores its
own pairs against the embeddings gathered from all ranks, with gradients flowing back through the gather (mmlearn's
`gather_with_grad` and `local_loss`), so R ranks of B/R pairs train exactly as one process with the whole batch."""

import torch
import torch.distributed as dist
import torch.distributed.nn as dist_nn
import torch.nn.functional as F


def gather_with_grad(tensor):
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return tensor
    return torch.cat(dist_nn.all_gather(tensor), 0)


def symmetric_info_nce(image_embeddings, text_embeddings, log_scale):
    """Mean of the image→text and text→image cross-entropies of this rank's pairs against every rank's."""
    scale = log_scale.exp()
    all_images = gather_with_grad(image_embeddings)
    all_texts = gather_with_grad(text_embeddings)
    local = image_embeddings.shape[0]
    offset = dist.get_rank() * local if dist.is_available() and dist.is_initialized() else 0
    labels = torch.arange(offset, offset + local, device=image_embeddings.device)
    image_to_text = F.cross_entropy(scale * image_embeddings @ all_texts.T, labels)
    text_to_image = F.cross_entropy(scale * text_embeddings @ all_images.T, labels)
    return (image_to_text + text_to_image) / 2
