"""Writes frame 0 of each DICOM file named, decoded by pydicom, as little-endian int32 samples: a reference decode for
tests. Usage: pydicom-frame.py OUTPUT_FOLDER FILE...; file number i goes to OUTPUT_FOLDER/i.raw, or nowhere when pydicom
cannot decode it. One process for all files: starting Python and NumPy once per file cost most of the test's time.

pydicom leaves compressed YBR images in YBR; our codecs hand back RGB (as dcmtk's do), so those are converted here.
"""
import os
import sys

import numpy
import pydicom
from pydicom.pixel_data_handlers.util import convert_color_space


def frame_zero(path):
    dataset = pydicom.dcmread(path)
    pixels = dataset.pixel_array
    frames = int(getattr(dataset, "NumberOfFrames", 1) or 1)
    frame = pixels[0] if frames > 1 else pixels
    photometric = str(dataset.get("PhotometricInterpretation", ""))
    if dataset.file_meta.TransferSyntaxUID.is_compressed and photometric in ("YBR_FULL", "YBR_FULL_422"):
        frame = convert_color_space(frame, photometric, "RGB")
    return numpy.clip(frame.astype(numpy.int64), -(2**31), 2**31 - 1).astype("<i4")


output_folder = sys.argv[1]
for index, path in enumerate(sys.argv[2:]):
    try:
        samples = frame_zero(path)
    except Exception:  # pydicom's failures are many kinds; any of them means "no reference for this file".
        continue
    samples.tofile(os.path.join(output_folder, f"{index}.raw"))
