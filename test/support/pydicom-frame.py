"""Writes frame 0 of a DICOM file, decoded by pydicom, as little-endian int32 samples (a reference decode for tests)."""
import sys

import numpy
import pydicom

dataset = pydicom.dcmread(sys.argv[1])
pixels = dataset.pixel_array
frames = int(getattr(dataset, "NumberOfFrames", 1) or 1)
frame = pixels[0] if frames > 1 else pixels
numpy.clip(frame.astype(numpy.int64), -(2**31), 2**31 - 1).astype("<i4").tofile(sys.argv[2])
