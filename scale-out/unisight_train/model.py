"""The encoder of ml/model/contrastive-encoder.ts in PyTorch, parameter for parameter.

Every parameter keeps the desktop's name and layout (a linear weight is [in, out], applied as x @ W), so a checkpoint
converts to a Unisight model file and back by name alone. The shared encoder (Roy et al. 2025) with the modality
feature or token, early/late layers, frozen shared layers, MS-CLIP's per-modality block parts, and the separate
baseline are here; MS-CLIP's convolutional stem and parallel branch are not yet (the export refuses them).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

# Large enough that exp() of it vanishes next to any real score, small enough to stay finite in float32.
PADDING_BIAS = -1e9


def check_supported(config):
    if config.get("imageStem", "linear") != "linear" or config.get("parallelBranchLayers"):
        raise ValueError(
            "MS-CLIP's convolutional stem and parallel branch are not in the scale-out trainer yet; "
            "train this configuration on the desktop"
        )


def content_width(config):
    identifier = config["modalityIdentifier"]
    return config["width"] - identifier["featureWidth"] if identifier["kind"] == "feature" else config["width"]


def patches_per_image(config):
    return (config["imageSize"] // config["patchSize"]) ** 2


def sinusoidal_patch_positions(grid_side, width, prefix_tokens):
    """MAE's 2-D sine–cosine positions, as ml/model/layers/sinusoidal-positions.ts (prefix rows zero)."""
    frequencies = width // 4
    values = torch.zeros(prefix_tokens + grid_side * grid_side, width, dtype=torch.float64)
    index = torch.arange(frequencies, dtype=torch.float64)
    omega = 1.0 / 10_000 ** (index / max(frequencies, 1))
    for row in range(grid_side):
        for column in range(grid_side):
            offset = prefix_tokens + row * grid_side + column
            values[offset, 0:frequencies] = torch.sin(row * omega)
            values[offset, frequencies : 2 * frequencies] = torch.cos(row * omega)
            values[offset, 2 * frequencies : 3 * frequencies] = torch.sin(column * omega)
            values[offset, 3 * frequencies : 4 * frequencies] = torch.cos(column * omega)
    return values.float()


class ContrastiveEncoder(nn.Module):
    """Images as patches [batch, patches, patchSize²] and texts as token ids with a mask in; L2-normalised
    embeddings of `embeddingSize` out; CLS pooling."""

    def __init__(self, config, generator=None):
        super().__init__()
        check_supported(config)
        self.config = config
        self.weights = nn.ParameterDict()
        self.frozen_names = set()
        width, heads, ratio = config["width"], config["heads"], config["mlpRatio"]
        self.heads = heads
        shared = config["architecture"] == "shared"
        stack_layers = config["sharedLayers"] if shared else config["sharedLayers"] // 2
        frozen_layers = config["frozenSharedLayers"]
        parts = config.get("sharedBlockParts") or {"attention": True, "mlp": True, "layerNorms": True}
        own_parts = {name: not value for name, value in parts.items()}
        identifier = config["modalityIdentifier"]
        content = content_width(config)
        normal = lambda std: ("normal", std)  # noqa: E731

        def block_parts(name, which, frozen):
            if which["layerNorms"]:
                for norm in ("attentionNorm", "mlpNorm"):
                    self._create(f"{name}.{norm}.gain", [width], ("ones",), frozen)
                    self._create(f"{name}.{norm}.shift", [width], ("zeros",), frozen)
            if which["attention"]:
                for projection in ("query", "key", "value", "output"):
                    self._linear(f"{name}.attention.{projection}", width, width, frozen)
            if which["mlp"]:
                self._linear(f"{name}.mlpIn", width, width * ratio, frozen)
                self._linear(f"{name}.mlpOut", width * ratio, width, frozen)

        every = {"layerNorms": True, "attention": True, "mlp": True}
        if shared:
            for index in range(stack_layers):
                block_parts(f"shared.{index}", parts, index < frozen_layers)
        for modality in ("image", "text"):
            if shared:
                for index in range(stack_layers):
                    block_parts(f"{modality}.shared.{index}", own_parts, index < frozen_layers)
            image = modality == "image"
            sequence = (patches_per_image(config) + 1 if image else config["maximumTextTokens"]) + (
                1 if identifier["kind"] == "token" else 0
            )
            if image:
                self._linear("image.patchEmbedding", config["patchSize"] ** 2, content)
            else:
                self._create("text.tokenEmbedding", [config["vocabularySize"], content], normal(0.02))
            if identifier["kind"] == "feature":
                self._create(
                    f"{modality}.modalityFeature",
                    [identifier["featureWidth"]],
                    normal(identifier.get("initialStandardDeviation", 1)),
                )
            if identifier["kind"] == "token":
                self._create(f"{modality}.modalityToken", [width], normal(0.02))
            if image:
                self._create("image.classToken", [width], normal(width**-0.5))
            if not image or config.get("imagePositionInitialisation", "normal") == "normal":
                self._create(f"{modality}.positions", [sequence, width], normal(0.01))
            else:
                patches = patches_per_image(config)
                values = sinusoidal_patch_positions(int(math.isqrt(patches)), width, sequence - patches)
                self._create(f"{modality}.positions", [sequence, width], ("values", values))
            for index in range(config["earlyLayers"]):
                block_parts(f"{modality}.early.{index}", every, False)
            if not shared:
                for index in range(stack_layers):
                    block_parts(f"{modality}.stack.{index}", every, index < frozen_layers)
            for index in range(config["lateLayers"]):
                block_parts(f"{modality}.late.{index}", every, False)
            self._create(f"{modality}.finalNorm.gain", [width], ("ones",))
            self._create(f"{modality}.finalNorm.shift", [width], ("zeros",))
            self._create(f"{modality}.projection.weight", [width, config["embeddingSize"]], normal(width**-0.5))
        self._create("logitScale", [], ("values", torch.tensor(math.log(1 / config["initialTemperature"]))))
        if generator is not None:
            self.initialise(generator)

    # Parameters by their desktop names ("shared.0.attention.query.weight"); ParameterDict keys cannot hold dots.
    @staticmethod
    def _key(name):
        return name.replace(".", "/")

    def _create(self, name, shape, initialiser, frozen=False):
        parameter = nn.Parameter(torch.zeros(shape), requires_grad=not frozen)
        parameter.initialiser = initialiser
        self.weights[self._key(name)] = parameter
        if frozen:
            self.frozen_names.add(name)

    def _linear(self, name, inputs, outputs, frozen=False):
        self._create(f"{name}.weight", [inputs, outputs], ("normal", 1 / math.sqrt(inputs)), frozen)
        self._create(f"{name}.bias", [outputs], ("zeros",), frozen)

    def initialise(self, generator):
        """Fresh weights as the desktop's initialisers describe them (not its random streams)."""
        with torch.no_grad():
            for parameter in self.weights.values():
                kind = parameter.initialiser[0]
                if kind == "normal":
                    parameter.normal_(0, parameter.initialiser[1], generator=generator)
                elif kind == "ones":
                    parameter.fill_(1)
                elif kind == "zeros":
                    parameter.zero_()
                else:
                    parameter.copy_(parameter.initialiser[1])

    def has(self, name):
        return self._key(name) in self.weights

    def get(self, name):
        return self.weights[self._key(name)]

    def named_weights(self):
        """(desktop name, parameter) for every weight, frozen ones included."""
        return [(key.replace("/", "."), parameter) for key, parameter in self.weights.items()]

    @property
    def logit_scale(self):
        return self.get("logitScale")

    def _block_names(self, modality):
        config = self.config
        shared = config["architecture"] == "shared"
        stack = config["sharedLayers"] if shared else config["sharedLayers"] // 2
        names = [f"{modality}.early.{index}" for index in range(config["earlyLayers"])]
        names += [f"shared.{index}" if shared else f"{modality}.stack.{index}" for index in range(stack)]
        names += [f"{modality}.late.{index}" for index in range(config["lateLayers"])]
        return names

    def _part(self, modality, block, part):
        """A block's parameter, from the shared block or, for a part not shared, the modality's own copy."""
        if block.startswith("shared.") and not self.has(f"{block}.{part}"):
            return self.get(f"{modality}.{block}.{part}")
        return self.get(f"{block}.{part}")

    def _linear_apply(self, x, modality, block, name):
        return x @ self._part(modality, block, f"{name}.weight") + self._part(modality, block, f"{name}.bias")

    def _norm(self, x, modality, block, name):
        width = x.shape[-1]
        gain = self._part(modality, block, f"{name}.gain")
        shift = self._part(modality, block, f"{name}.shift")
        return F.layer_norm(x, (width,), gain, shift, 1e-5)

    def _block(self, x, modality, block, key_bias):
        """Pre-LN: x + Attention(LN(x)), then + MLP(LN(·)); GELU in its tanh form, as the desktop's."""
        batch, tokens, width = x.shape
        heads = self.heads
        head_width = width // heads
        normed = self._norm(x, modality, block, "attentionNorm")

        def split(projection):
            return projection.reshape(batch, tokens, heads, head_width).transpose(1, 2)

        query = split(self._linear_apply(normed, modality, block, "attention.query")) / math.sqrt(head_width)
        key = split(self._linear_apply(normed, modality, block, "attention.key"))
        value = split(self._linear_apply(normed, modality, block, "attention.value"))
        scores = query @ key.transpose(-1, -2)
        if key_bias is not None:
            scores = scores + key_bias
        mixed = (scores.softmax(-1) @ value).transpose(1, 2).reshape(batch, tokens, width)
        attended = x + self._linear_apply(mixed, modality, block, "attention.output")
        hidden = F.gelu(self._linear_apply(self._norm(attended, modality, block, "mlpNorm"), modality, block, "mlpIn"), approximate="tanh")
        return attended + self._linear_apply(hidden, modality, block, "mlpOut")

    def _with_feature(self, content, modality):
        if not self.has(f"{modality}.modalityFeature"):
            return content
        batch, tokens, _ = content.shape
        feature = self.get(f"{modality}.modalityFeature").reshape(1, 1, -1).expand(batch, tokens, -1)
        return torch.cat([feature, content], 2)

    def encode_image(self, patches):
        width = self.config["width"]
        batch = patches.shape[0]
        class_token = self.get("image.classToken").reshape(1, 1, width).expand(batch, 1, width)
        prefix = [class_token]
        if self.has("image.modalityToken"):
            prefix = [self.get("image.modalityToken").reshape(1, 1, width).expand(batch, 1, width), class_token]
        positions = self.get("image.positions")
        content = patches @ self.get("image.patchEmbedding.weight") + self.get("image.patchEmbedding.bias")
        patch_tokens = self._with_feature(content, "image") + positions[len(prefix) :]
        sequence = torch.cat([torch.cat(prefix, 1) + positions[: len(prefix)], patch_tokens], 1)
        return self._finish(sequence, "image", len(prefix) - 1, None)

    def encode_text(self, token_ids, attention_mask):
        width = self.config["width"]
        batch = token_ids.shape[0]
        sequence = self._with_feature(F.embedding(token_ids.long(), self.get("text.tokenEmbedding")), "text")
        mask = attention_mask.float()
        if self.has("text.modalityToken"):
            # After [CLS], as shared_encoder inserts it after its start token.
            token = self.get("text.modalityToken").reshape(1, 1, width).expand(batch, 1, width)
            sequence = torch.cat([sequence[:, :1], token, sequence[:, 1:]], 1)
            mask = torch.cat([mask[:, :1], torch.ones(batch, 1, dtype=mask.dtype, device=mask.device), mask[:, 1:]], 1)
        key_bias = ((mask - 1) * -PADDING_BIAS).reshape(batch, 1, 1, -1)
        return self._finish(sequence + self.get("text.positions"), "text", 0, key_bias)

    def _finish(self, sequence, modality, class_index, key_bias):
        hidden = sequence
        for block in self._block_names(modality):
            hidden = self._block(hidden, modality, block, key_bias)
        pooled = F.layer_norm(
            hidden[:, class_index],
            (self.config["width"],),
            self.get(f"{modality}.finalNorm.gain"),
            self.get(f"{modality}.finalNorm.shift"),
            1e-5,
        )
        projected = pooled @ self.get(f"{modality}.projection.weight")
        return projected / (projected.square().sum(1, keepdim=True) + 1e-12).sqrt()

    def forward(self, patches, token_ids, attention_mask):
        return self.encode_image(patches), self.encode_text(token_ids, attention_mask)
