"""The PyTorch side of the parity tests: reads what the TypeScript side wrote into a folder, answers in the same
folder. `embed`: a model's embeddings of given patches and texts; `tokenize`: token ids of given texts; `words`: the
word-prediction loss of given embeddings, head weights and targets."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scale-out"))

import torch  # noqa: E402

from unisight_train.model import ContrastiveEncoder  # noqa: E402
from unisight_train.report_words import ReportWordHead, word_prediction_loss  # noqa: E402
from unisight_train.tensor_bundle import read_tensor_bundle  # noqa: E402
from unisight_train.tokenizer import BpeTokenizer  # noqa: E402
from unisight_train.training import load_weights  # noqa: E402


def embed(folder):
    with open(os.path.join(folder, "inputs.json"), encoding="utf-8") as file:
        inputs = json.load(file)
    config = inputs["config"]
    model = ContrastiveEncoder(config)
    _, tensors = read_tensor_bundle(os.path.join(folder, "weights.unisight-tensors"))
    load_weights(model, tensors)
    patches = torch.tensor(inputs["patches"], dtype=torch.float32).reshape(inputs["patchesShape"])
    token_ids = torch.tensor(inputs["tokenIds"]).reshape(inputs["textShape"])
    mask = torch.tensor(inputs["attentionMask"], dtype=torch.float32).reshape(inputs["textShape"])
    with torch.no_grad():
        images, texts = model(patches, token_ids, mask)
    answer = {
        "image": images.flatten().tolist(),
        "text": texts.flatten().tolist(),
        "names": sorted(name for name, _ in model.named_weights()),
        "frozen": sorted(name for name, parameter in model.named_weights() if not parameter.requires_grad),
    }
    with open(os.path.join(folder, "answer.json"), "w", encoding="utf-8") as file:
        json.dump(answer, file)


def tokenize(folder):
    with open(os.path.join(folder, "inputs.json"), encoding="utf-8") as file:
        inputs = json.load(file)
    tokenizer = BpeTokenizer(inputs["tokenizer"])
    encoded = [tokenizer.encode(text, inputs["length"]) for text in inputs["texts"]]
    with open(os.path.join(folder, "answer.json"), "w", encoding="utf-8") as file:
        json.dump({"ids": [ids for ids, _ in encoded], "masks": [mask for _, mask in encoded]}, file)


def words(folder):
    with open(os.path.join(folder, "inputs.json"), encoding="utf-8") as file:
        inputs = json.load(file)
    embeddings = torch.tensor(inputs["embeddings"]).reshape(inputs["embeddingShape"])
    head = ReportWordHead(inputs["embeddingShape"][1], inputs["shares"])
    initial_bias = head.bias.tolist()
    with torch.no_grad():
        head.weight.copy_(torch.tensor(inputs["weight"]).reshape(head.weight.shape))
    targets = torch.tensor(inputs["targets"], dtype=torch.float32).reshape(inputs["embeddingShape"][0], -1)
    loss = word_prediction_loss(head(embeddings), targets)
    with open(os.path.join(folder, "answer.json"), "w", encoding="utf-8") as file:
        json.dump({"loss": loss.item(), "initialBias": initial_bias}, file)


if __name__ == "__main__":
    {"embed": embed, "tokenize": tokenize, "words": words}[sys.argv[1]](sys.argv[2])
