"""One training run over a bundle: the desktop's contrastive pretraining, with word prediction from the image where the
bundle sets it (AdamW as PyTorch's with open_clip's decay rule, warm-up then cosine, global-norm clipping, the logit
scale clamped after every step), on one process or many under torchrun (DistributedDataParallel; gloo on CPU, NCCL on
CUDA)."""

import json
import math
import os
import random
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .data import (IDENTITY, epoch_order, pairs_per_epoch, read_shards, render_patches, sample_report_text,
                   sample_transform, text_sampling_at_step)
from .loss import symmetric_info_nce
from .model import ContrastiveEncoder
from .report_words import ReportWordHead, word_prediction_loss, word_targets
from .tensor_bundle import read_tensor_bundle, write_tensor_bundle
from .tokenizer import BpeTokenizer

CHECKPOINT = "checkpoint.pt"
RESULT = "model.unisight-tensors"


def numeric_seed(seed):
    """FNV-1a of the seed text, as the desktop's numericSeed."""
    value = 0x811C9DC5
    for byte in seed.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def warmup_cosine_rate(step, total_steps, warmup_steps, peak_rate):
    if step < warmup_steps:
        return peak_rate * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return 0.5 * peak_rate * (1 + math.cos(math.pi * progress))


class Bundle:
    def __init__(self, folder):
        with open(os.path.join(folder, "bundle.json"), encoding="utf-8") as file:
            self.manifest = json.load(file)
        if self.manifest.get("format") != "unisight-training-bundle" or self.manifest.get("formatVersion") != 1:
            raise ValueError(f"{folder} holds no Unisight training bundle (bundle.json, version 1)")
        self.folder = folder
        self.config = self.manifest["encoder"]
        self.training = self.manifest["training"]
        self.tokenizer = BpeTokenizer(self.manifest["tokenizer"])

    def initial_weights(self):
        name = self.manifest.get("initialWeights")
        return read_tensor_bundle(os.path.join(self.folder, name))[1] if name else None


def load_weights(model, tensors, prefix="model/"):
    with torch.no_grad():
        for name, parameter in model.named_weights():
            stored = tensors.get(prefix + name)
            if stored is None:
                raise ValueError(f"the weights have no {prefix}{name}: they belong to another model configuration")
            if list(stored.shape) != list(parameter.shape):
                raise ValueError(f"{name} is {list(stored.shape)}, the model expects {list(parameter.shape)}")
            parameter.copy_(stored)


def build_batch(samples, positions, step, total_steps, bundle, augment=True):
    """Patches and token ids of samples at global `positions`; each sample's randomness is seeded by the run's seed,
    the step and its place in the global batch, so any split of the batch across ranks sees the same inputs."""
    config, training = bundle.config, bundle.training
    transforms, token_ids, masks = [], [], []
    text_sampling = text_sampling_at_step(training["textSampling"], step, total_steps) if augment else None
    for place, index in positions:
        generator = random.Random(f"{training['seed']}:{step}:{place}")
        transforms.append(sample_transform(generator, training["augmentation"]) if augment else IDENTITY)
        text = samples[index]["text"]
        if text_sampling is not None:
            text = sample_report_text(text, text_sampling, generator)
        ids, mask = bundle.tokenizer.encode(text, config["maximumTextTokens"])
        token_ids.append(ids)
        masks.append(mask)
    images = torch.stack([samples[index]["image"] for _, index in positions])
    patches = render_patches(images, transforms, config["imageSize"], config["patchSize"])
    return patches, torch.tensor(token_ids), torch.tensor(masks)


class Pretraining(nn.Module):
    """The encoder and, with word prediction, its word head, as one module: DistributedDataParallel then averages the
    head's gradients with the encoder's. Out: image and text embeddings, and the word logits (or None)."""

    def __init__(self, encoder, word_head=None):
        super().__init__()
        self.encoder = encoder
        self.word_head = word_head

    def forward(self, patches, token_ids, attention_mask):
        images, texts = self.encoder(patches, token_ids, attention_mask)
        return images, texts, self.word_head(images) if self.word_head is not None else None

    def trainable(self):
        encoder = [parameter for _, parameter in self.encoder.named_weights() if parameter.requires_grad]
        return encoder + (list(self.word_head.parameters()) if self.word_head is not None else [])


def optimizer_for(trainable, weight_decay):
    """Decay matrices only: biases, norms, tokens and the logit scale keep their size (open_clip's rule)."""
    groups = [
        {"params": [p for p in trainable if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in trainable if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, betas=(0.9, 0.98), eps=1e-6)


def train(bundle_folder, out, max_steps=None, checkpoint_every=None, until_step=None, log=print):
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    bundle = Bundle(bundle_folder)
    training = bundle.training
    batch_size = training["batchSize"]
    if batch_size % world:
        raise ValueError(f"the batch of {batch_size} does not divide among {world} processes")
    local_batch = batch_size // world
    samples = read_shards(bundle_folder, "train")
    policy = training.get("studyImages", "every")
    pairs = pairs_per_epoch(samples, policy)
    steps_per_epoch = pairs // batch_size
    if steps_per_epoch == 0:
        raise ValueError(f"{pairs} training pairs are fewer than one batch of {batch_size}")
    total_steps = steps_per_epoch * training["epochs"]
    if max_steps:
        total_steps = min(total_steps, max_steps)
    warmup_steps = round(total_steps * training["warmupFraction"])
    checkpoint_every = checkpoint_every or training["checkpointEverySteps"]

    generator = torch.Generator().manual_seed(numeric_seed(training["seed"]))
    model = ContrastiveEncoder(bundle.config, generator)
    initial = bundle.initial_weights()
    if initial is not None:
        load_weights(model, initial)
    word_weight = training.get("wordPredictionWeight", 0)
    report_words = bundle.manifest.get("reportWords")
    if word_weight > 0 and not report_words:
        raise ValueError("the bundle sets word prediction but holds no word vocabulary (bundle.json reportWords)")
    word_head = (ReportWordHead(bundle.config["embeddingSize"], report_words["shares"],
                                torch.Generator().manual_seed(numeric_seed(f"{training['seed']}:words")))
                 if word_weight > 0 else None)
    pretraining = Pretraining(model, word_head).to(device)
    trainable = pretraining.trainable()
    optimizer = optimizer_for(trainable, training["weightDecay"])
    os.makedirs(out, exist_ok=True)
    checkpoint_file = os.path.join(out, CHECKPOINT)
    step, losses = 0, []
    if os.path.exists(checkpoint_file):
        state = torch.load(checkpoint_file, map_location=device)
        model.load_state_dict(state["model"])
        if word_head is not None:
            word_head.load_state_dict(state["words"])
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        losses = state.get("losses", [])
        log(json.dumps({"resumed": step, "totalSteps": total_steps}))
    wrapped = DistributedDataParallel(pretraining) if distributed else pretraining
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else torch.autocast("cpu", enabled=False)

    def save_checkpoint():
        if rank == 0:
            temporary = f"{checkpoint_file}.partial"
            state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "losses": losses}
            if word_head is not None:
                state["words"] = word_head.state_dict()
            torch.save(state, temporary)
            os.replace(temporary, checkpoint_file)

    started, steps_here = time.perf_counter(), 0
    while step < total_steps:
        epoch = step // steps_per_epoch
        order = epoch_order(samples, training["seed"], epoch, policy)
        first = (step % steps_per_epoch) * batch_size
        positions = [(place, order[first + place]) for place in range(rank * local_batch, (rank + 1) * local_batch)]
        batch = build_batch(samples, positions, step, total_steps, bundle)
        patches, token_ids, mask = (tensor.to(device) for tensor in batch)
        rate = warmup_cosine_rate(step, total_steps, warmup_steps, training["peakLearningRate"])
        for group in optimizer.param_groups:
            group["lr"] = rate
        with autocast:
            images, texts, word_logits = wrapped(patches, token_ids, mask)
            contrastive = symmetric_info_nce(images.float(), texts.float(), model.logit_scale)
            parts = [contrastive]
            if word_logits is not None:
                targets = word_targets(samples, positions, len(report_words["words"])).to(device)
                parts.append(word_prediction_loss(word_logits.float(), targets))
            loss = contrastive + word_weight * parts[1] if word_logits is not None else contrastive
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, training["gradientClipNorm"])
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(bundle.config["maximumLogitScale"]))
        step += 1
        reported = torch.stack([loss.detach(), *(part.detach() for part in parts)])
        if distributed:
            dist.all_reduce(reported)
            reported /= world
        losses.append(reported[0].item())
        steps_here += 1
        if rank == 0 and (step % training["metricsEverySteps"] == 0 or step == total_steps):
            elapsed = time.perf_counter() - started
            line = {"step": step, "totalSteps": total_steps, "loss": losses[-1], "learningRate": rate,
                    "stepsPerSecond": steps_here / elapsed, "samplesPerSecond": steps_here * batch_size / elapsed}
            if word_logits is not None:
                line["parts"] = {"contrastive": reported[1].item(), "wordPrediction": reported[2].item()}
            if cuda:
                line["peakGpuMemoryBytes"] = torch.cuda.max_memory_allocated(device)
            log(json.dumps(line))
        if step % checkpoint_every == 0:
            save_checkpoint()
        if until_step is not None and step >= until_step:
            break
    save_checkpoint()
    if step < total_steps:
        log(json.dumps({"stopped": step, "totalSteps": total_steps, "resume": "run the same command again"}))
    if rank == 0 and step == total_steps:
        metadata = {
            "format": "unisight-scale-out-result",
            "formatVersion": 1,
            "step": step,
            "totalSteps": total_steps,
            "worldSize": world,
            "device": str(device),
            "losses": losses,
            "encoder": bundle.config,
            "tokenizer": bundle.manifest["tokenizer"],
            "training": training,
            "dataset": bundle.manifest["dataset"],
        }
        tensors = {f"model/{name}": parameter for name, parameter in model.named_weights()}
        if word_head is not None:
            # Kept beside the encoder: the desktop's search reads the words it predicts as evidence for a query.
            metadata["reportWords"] = report_words["words"]
            tensors["words.weight"] = word_head.weight
            tensors["words.bias"] = word_head.bias
        write_tensor_bundle(os.path.join(out, RESULT), metadata, tensors)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
    return losses
