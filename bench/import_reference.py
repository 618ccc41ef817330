"""Reference for `npm run bench:import`: the same per-file work as Unisight's importer, done the usual Python way.

For every file under a folder, the files the importer reads too: a text report is read, SHA-256'd and decoded
(UTF-8, else Latin-1); a table or manifest is passed over (the importer reads those once, in its linking step);
every other file is read and SHA-256'd, parsed with pydicom, decode the middle frame (pydicom with
GDCM for JPEG-LS/J2K), apply the modality LUT and the VOI window, invert MONOCHROME1, letterbox-resize to 256×256
(8-bit) and write a 160-px PNG thumbnail. Runs one process per core, like the importer's worker threads.
Prints one JSON object: files, seconds, files_per_second, peak resident memory.

Needs Debian python3-pydicom, python3-numpy, python3-pil and python3-gdcm.
"""
import hashlib
import io
import json
import multiprocessing
import os
import resource
import sys
import time

import numpy
import pydicom
from PIL import Image
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut

pydicom.config.pixel_data_handlers = [
    handler for handler in pydicom.config.pixel_data_handlers if handler.HANDLER_NAME in ("GDCM", "Numpy", "RLE Lossless")
] or pydicom.config.pixel_data_handlers

MODEL_SIZE = 256
THUMBNAIL_SIZE = 160


TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json")


def process(path):
    if path.lower().endswith(TABLE_SUFFIXES):
        return "skipped"
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        hashlib.sha256(data).hexdigest()
        if path.lower().endswith(".txt"):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                data.decode("latin-1")
            return "text"
        dataset = pydicom.dcmread(io.BytesIO(data))
        if "PixelData" not in dataset:
            return "skipped"
        pixels = dataset.pixel_array
        frames = int(getattr(dataset, "NumberOfFrames", 1) or 1)
        if frames > 1:
            pixels = pixels[(frames - 1) // 2]
        values = apply_modality_lut(pixels, dataset).astype(numpy.float32)
        if "WindowWidth" in dataset:
            values = apply_voi_lut(values, dataset).astype(numpy.float32)
        low, high = float(values.min()), float(values.max())
        gray = (values - low) / max(high - low, 1e-6)
        if getattr(dataset, "PhotometricInterpretation", "") == "MONOCHROME1":
            gray = 1.0 - gray
        image = Image.fromarray((gray * 255).astype(numpy.uint8))
        scale = MODEL_SIZE / max(image.size)
        resized = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BILINEAR, reducing_gap=None)
        canvas = Image.new("L", (MODEL_SIZE, MODEL_SIZE))
        canvas.paste(resized, ((MODEL_SIZE - resized.width) // 2, (MODEL_SIZE - resized.height) // 2))
        canvas.tobytes()
        thumbnail = image.copy()
        thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.BILINEAR)
        thumbnail.save(io.BytesIO(), format="PNG")
        return "imported"
    except Exception:  # noqa: BLE001 - a broken file is an outcome here, as in the importer
        return "failed"


def main():
    folder = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    paths = [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]
    started = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        outcomes = pool.map(process, paths, chunksize=16)
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024
    print(json.dumps({
        "files": len(paths),
        "imported": outcomes.count("imported"),
        "text": outcomes.count("text"),
        "skipped": outcomes.count("skipped"),
        "failed": outcomes.count("failed"),
        "seconds": round(seconds, 3),
        "files_per_second": round(len(paths) / seconds, 1),
        "workers": workers,
        "peak_resident_bytes_per_process": peak,
    }))


if __name__ == "__main__":
    main()
