"""The bundle's WebDataset-style shards (train-000000.tar, …: <key>.pgm, <key>.txt, <key>.json per sample), and the
desktop's image rendering and augmentation (ml/data/image-augmentation.ts) as batched PyTorch."""

import io
import json
import math
import os
import random
import re
import tarfile

import torch
import torch.nn.functional as F

# Fixed normalisation of 8-bit grey, as the desktop's (never change it: models depend on it).
PIXEL_MEAN, PIXEL_SPREAD = 0.5, 0.25
IDENTITY = {"windowWidth": 1.0, "windowHeight": 1.0, "centreX": 0.5, "centreY": 0.5, "rotationRadians": 0.0,
            "brightness": 0.0, "contrast": 1.0}


def read_pgm(data):
    """A binary (P5) 8-bit greyscale image: the shards' image format, readable with no library."""
    fields, position = [], 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    if fields[0] != b"P5" or int(fields[3]) != 255:
        raise ValueError("not an 8-bit binary PGM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[position + 1 : position + 1 + width * height]
    return torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(height, width)


def read_shards(folder, split):
    """Every sample of a split, in shard order: {'key', 'image' (uint8 [S, S]), 'text', 'meta'}."""
    names = sorted(name for name in os.listdir(folder) if name.startswith(f"{split}-") and name.endswith(".tar"))
    samples = []
    for name in names:
        with tarfile.open(os.path.join(folder, name)) as archive:
            grouped = {}
            for member in archive.getmembers():
                key, _, extension = member.name.partition(".")
                grouped.setdefault(key, {})[extension] = archive.extractfile(member).read()
            for key in sorted(grouped):
                parts = grouped[key]
                samples.append({
                    "key": key,
                    "image": read_pgm(parts["pgm"]),
                    "text": parts["txt"].decode("utf-8"),
                    "meta": json.loads(parts["json"]),
                })
    return samples


def sample_transform(generator, settings):
    """A random crop, rotation and intensity change drawn from the preset's ranges (desktop: sampleTransform)."""
    between = lambda low, high: low + (high - low) * generator.random()  # noqa: E731
    area = between(*settings["cropAreaRange"])
    aspect = math.exp(between(math.log(settings["aspectRatioRange"][0]), math.log(settings["aspectRatioRange"][1])))
    window_width = min(1.0, math.sqrt(area * aspect))
    window_height = min(1.0, math.sqrt(area / aspect))
    shift = settings["maximumTranslation"]
    return {
        "windowWidth": window_width,
        "windowHeight": window_height,
        "centreX": between(window_width / 2, 1 - window_width / 2) + between(-shift, shift),
        "centreY": between(window_height / 2, 1 - window_height / 2) + between(-shift, shift),
        "rotationRadians": between(-1, 1) * settings["maximumRotationDegrees"] * math.pi / 180,
        "brightness": between(-1, 1) * settings["maximumBrightnessChange"],
        "contrast": 1 + between(-1, 1) * settings["maximumContrastChange"],
    }


def render_patches(images, transforms, output_size, patch_size):
    """uint8 [B, S, S] through each transform (bilinear, black outside) → normalised patches [B, P, patch²], patches
    row-major and pixels row-major within a patch, as the desktop's renderPatches."""
    batch, source_size, _ = images.shape
    half = output_size / 2
    steps = (torch.arange(output_size, dtype=torch.float64) + 0.5 - half)
    grids = []
    for transform in transforms:
        step_x = transform["windowWidth"] * source_size / output_size
        step_y = transform["windowHeight"] * source_size / output_size
        dy, dx = torch.meshgrid(steps * step_y, steps * step_x, indexing="ij")
        cos, sin = math.cos(transform["rotationRadians"]), math.sin(transform["rotationRadians"])
        # Pixel-centre coordinates (0 … S-1 plus ½) mapped to grid_sample's [-1, 1] with align_corners=False.
        x = transform["centreX"] * source_size + cos * dx - sin * dy
        y = transform["centreY"] * source_size + sin * dx + cos * dy
        grids.append(torch.stack([x / source_size * 2 - 1, y / source_size * 2 - 1], -1))
    grid = torch.stack(grids).float()
    grey = F.grid_sample(images.float().unsqueeze(1) / 255, grid, mode="bilinear", padding_mode="zeros",
                         align_corners=False).squeeze(1)
    contrast = torch.tensor([t["contrast"] for t in transforms]).reshape(-1, 1, 1)
    brightness = torch.tensor([t["brightness"] for t in transforms]).reshape(-1, 1, 1)
    adjusted = (grey - 0.5) * contrast + 0.5 + brightness
    normalised = (adjusted - PIXEL_MEAN) / PIXEL_SPREAD
    grid_side = output_size // patch_size
    return (normalised.reshape(batch, grid_side, patch_size, grid_side, patch_size)
            .permute(0, 1, 3, 2, 4).reshape(batch, grid_side * grid_side, patch_size * patch_size))


# The desktop's text sampling (ml/data/text-sampling.ts): a report is read whole, as one sentence, or as a short span.
_SECTION_HEADER = re.compile(r"^[^\W\d_](?:[^\W\d_]| ){0,29}\s*[:–-]\s+")
_NEGATION = re.compile(r"\b(no|not|without|negative|free of|absent|resolved|ruled out|clear of)\b", re.IGNORECASE)


def report_sentences(report):
    """The report's sentences, headers off, empty ones dropped."""
    sentences = (_SECTION_HEADER.sub("", part.strip(), count=1).strip() for part in re.split(r"(?<=[.!?;])\s+|\n+", report))
    return [sentence for sentence in sentences if re.search(r"[^\W_]", sentence)]


def text_sampling_at_step(settings, step, total_steps):
    """The settings step `step` of `total_steps` samples with, or None while the run still reads reports whole (the
    desktop's textSamplingAtStep; runs without wholeReportsFirst sample from the first step)."""
    sampling = settings["sentenceProbability"] + settings["phraseProbability"] > 0
    first = settings.get("wholeReportsFirst", 0)
    return settings if sampling and step >= _round_half_up(first * total_steps) else None


def _round_half_up(value):
    """JavaScript's Math.round for non-negative values (Python's round() rounds halves to even)."""
    return math.floor(value + 0.5)


def sample_report_text(report, settings, generator):
    draw = generator.random()
    if draw >= settings["sentenceProbability"] + settings["phraseProbability"]:
        return report
    sentences = report_sentences(report)
    if not sentences:
        return report
    sentence = generator.choice(sentences)
    if draw < settings["sentenceProbability"] or _NEGATION.search(sentence):
        return sentence
    words = re.sub(r"[.!?;,]+$", "", sentence).split()
    length = min(len(words), generator.randint(2, 4))
    start = generator.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


FRONTAL_VIEWS = ("PA", "AP")


def _by_study(samples):
    studies = {}
    for index, sample in enumerate(samples):
        studies.setdefault(sample["meta"]["studyId"], []).append(index)
    return list(studies.values())


def pairs_per_epoch(samples, policy):
    """Training pairs one epoch has: its images under `every`, else its studies."""
    return len(samples) if policy == "every" else len(_by_study(samples))


def epoch_order(samples, seed, epoch, policy):
    """As the desktop (ml/data/study-sampling.ts): every image shuffled; or, per study, the first of its images in that
    shuffle (its first frontal view under `frontal`, where it has any; under `series`, the first image of each series,
    then per study the first of those in a second shuffle, so each series has an equal chance), so a study's image is
    drawn anew each epoch and no batch holds two images of one study."""
    generator = random.Random(f"{seed}:epoch:{epoch}")
    order = list(range(len(samples)))
    generator.shuffle(order)
    if policy == "every":
        return order
    if policy == "series":
        per_series = {}
        for index in order:
            series = samples[index]["meta"].get("series")
            per_series.setdefault(("image", index) if series is None else ("series", series), index)
        candidates = list(per_series.values())
        random.Random(f"{seed}:series:{epoch}").shuffle(candidates)
        chosen = {}
        for index in candidates:
            chosen.setdefault(samples[index]["meta"]["studyId"], index)
        return list(chosen.values())
    chosen, frontal_chosen = {}, set()
    for index in order:
        meta = samples[index]["meta"]
        study = meta["studyId"]
        frontal = policy == "frontal" and meta.get("view") in FRONTAL_VIEWS
        if study not in chosen or (frontal and study not in frontal_chosen):
            chosen[study] = index
        if frontal:
            frontal_chosen.add(study)
    return list(chosen.values())
