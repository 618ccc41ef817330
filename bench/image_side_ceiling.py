"""How much of each finding the catalog's model images carry at all: a small CNN trained with every label, in
PyTorch, on a library's model images (the 256-px squares the importer caches), judged on held-out patients. This is
a ceiling for the image side, not a recipe: it reads labels the self-supervised encoder never sees.

    /usr/bin/python3 bench/image_side_ceiling.py LIBRARY [--size 128] [--epochs 20] [--seed 0]   # Debian's python3-torch

Prints test AUROC per labelled task (expert labels from the library's manifest) with a 95% interval from a bootstrap
over patients, and the share of positives.
"""

import argparse
import os
import random
import sqlite3

import numpy
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(library):
    catalog = sqlite3.connect(f"file:{os.path.join(library, 'catalog.sqlite')}?mode=ro", uri=True)
    rows = catalog.execute(
        """SELECT images.id, studies.id, patients.pseudonym, images.model_image_path, images.model_image_offset,
             images.model_image_size
           FROM images JOIN series ON series.id = images.series_id JOIN studies ON studies.id = series.study_id
           JOIN patients ON patients.id = studies.patient_id
           WHERE images.represents_series = 1 ORDER BY images.id"""
    ).fetchall()
    labels = {}
    for study, task, value in catalog.execute("SELECT study_id, task, value FROM labels WHERE source LIKE 'manifest:%'"):
        if value in ("0", "1"):
            labels.setdefault(task, {})[study] = int(value)
    tasks = sorted(labels)
    images, targets, known, patients = [], [], [], []
    for _, study, patient, file, offset, size in rows:
        with open(os.path.join(library, file), "rb") as handle:
            handle.seek(offset)
            pixels = numpy.frombuffer(handle.read(size * size), dtype=numpy.uint8).reshape(size, size)
        images.append(pixels)
        targets.append([labels[task].get(study, 0) for task in tasks])
        known.append([study in labels[task] for task in tasks])
        patients.append(patient)
    return tasks, numpy.stack(images), numpy.array(targets, "float32"), numpy.array(known), patients


def grouped_interval(scores, positives, groups, seed, resamples=1000):
    """95% interval of the AUROC from a bootstrap that resamples patients, as the app's intervals do."""
    by_group = {}
    for index, group in enumerate(groups):
        by_group.setdefault(group, []).append(index)
    members = list(by_group.values())
    generator = numpy.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        rows = numpy.concatenate([members[pick] for pick in generator.integers(0, len(members), len(members))])
        chosen = positives[rows]
        if 0 < chosen.sum() < len(chosen):
            values.append(auroc(scores[rows], chosen))
    return numpy.percentile(values, [2.5, 97.5])


def auroc(scores, positives):
    order = numpy.argsort(scores)
    ranks = numpy.empty(len(scores))
    ranks[order] = numpy.arange(1, len(scores) + 1)
    count = positives.sum()
    return (ranks[positives].sum() - count * (count + 1) / 2) / (count * (len(scores) - count))


class SmallCnn(nn.Module):
    def __init__(self, tasks):
        super().__init__()
        widths = [1, 16, 32, 64, 64, 64]
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(a, b, 3, stride=2, padding=1), nn.BatchNorm2d(b), nn.ReLU())
            for a, b in zip(widths, widths[1:])
        )
        self.head = nn.Linear(2 * widths[-1], tasks)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        # Max pooling keeps a small local finding from being averaged away.
        return self.head(torch.cat([x.amax(dim=(2, 3)), x.mean(dim=(2, 3))], dim=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    torch.manual_seed(arguments.seed)
    tasks, images, targets, known, patients = load(arguments.library)
    people = sorted(set(patients))
    random.Random(arguments.seed).shuffle(people)
    test_people = set(people[: len(people) // 5])
    test = numpy.array([patient in test_people for patient in patients])
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    if arguments.size != x.shape[-1]:
        x = F.interpolate(x, size=arguments.size, mode="area")
    x = (x - 0.5) / 0.25
    y = torch.tensor(targets)
    mask = torch.tensor(known, dtype=torch.float32)
    train_index = numpy.flatnonzero(~test)
    model = SmallCnn(len(tasks))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = arguments.epochs * (len(train_index) // 32)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    for epoch in range(arguments.epochs):
        model.train()
        numpy.random.default_rng(arguments.seed * 1000 + epoch).shuffle(train_index)
        for start in range(0, len(train_index) - 31, 32):
            batch = torch.tensor(train_index[start : start + 32])
            # Small shifts, as the encoder's augmentation moves its crops.
            shift = [int(value) for value in torch.randint(-4, 5, (2,))]
            inputs = torch.roll(x[batch], shifts=shift, dims=(2, 3))
            loss = (F.binary_cross_entropy_with_logits(model(inputs), y[batch], reduction="none") * mask[batch]).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    with torch.no_grad():
        scores = torch.cat([model(x[start : start + 256]) for start in range(0, len(x), 256)]).numpy()
    print(f"{arguments.size} px, {arguments.epochs} epochs, {len(train_index)} training and {test.sum()} test images")
    for index, task in enumerate(tasks):
        rows = test & known[:, index]
        positives = targets[rows, index] == 1
        groups = [patient for patient, row in zip(patients, rows) if row]
        lower, upper = grouped_interval(scores[rows, index], positives, groups, arguments.seed)
        print(
            f"  {task:14s} test AUROC {auroc(scores[rows, index], positives):.3f} [{lower:.3f}, {upper:.3f}]"
            f"  ({positives.mean():.0%} positive; chance 0.5)"
        )


if __name__ == "__main__":
    main()
