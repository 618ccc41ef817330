"""Unisight's tensor bundle (ml/model/tensor-bundle.ts): a magic line, a JSON header, then float32 data. The
trainer writes its result in it, so the desktop reads the weights by name with no converter of its own."""

import json
import os
import struct

import torch

MAGIC = b"UNISIGHT-TENSORS-1\n"


def write_tensor_bundle(path, metadata, tensors):
    """`tensors`: name → float32 tensor. Written beside the target and renamed, so a crash leaves no half file."""
    entries, blobs, offset = [], [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes()
        entries.append({"name": name, "shape": list(tensor.shape), "offset": offset})
        blobs.append(data)
        offset += len(data)
    header = json.dumps({"metadata": metadata, "tensors": entries}).encode("utf-8")
    padding = (4 - (len(MAGIC) + 4 + len(header)) % 4) % 4
    temporary = f"{path}.partial"
    with open(temporary, "wb") as file:
        file.write(MAGIC)
        file.write(struct.pack("<I", len(header) + padding))
        file.write(header)
        file.write(b" " * padding)
        for blob in blobs:
            file.write(blob)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def read_tensor_bundle(path):
    with open(path, "rb") as file:
        data = file.read()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path} is not a Unisight tensor bundle")
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    header = json.loads(data[start : start + length].decode("utf-8").rstrip(" "))
    body = start + length
    tensors = {}
    for entry in header["tensors"]:
        count = 1
        for side in entry["shape"]:
            count *= side
        begin = body + entry["offset"]
        values = torch.frombuffer(bytearray(data[begin : begin + 4 * count]), dtype=torch.float32)
        tensors[entry["name"]] = values.reshape(entry["shape"])
    return header["metadata"], tensors
