"""The encoder of ml/model/contrastive-encoder.ts in PyTorch, parameter for parameter.

Every parameter keeps the desktop's name and layout (a linear weight is [in, out], applied as x @ W; a convolution's
[kernel² · in, out] with the taps outermost), so a checkpoint converts to a Unisight model file and back by name alone:
the shared encoder (Roy et al. 2025) with the modality feature or token, early/late layers, frozen shared layers,
MS-CLIP's per-modality block parts, early convolution and parallel branch, and the separate baseline.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

# Large enough that exp() of it vanishes next to any real score, small enough to stay finite in float32.
PADDING_BIAS = -1e9


def stem_channels(width, patch_size):
    """Channels of each stage of the early convolution (common/convolution-shapes.ts)."""
    stages = int(math.log2(patch_size))
    return [max(1, width // 2 ** (stages - 1 - stage)) for stage in range(stages)]


def hierarchical_stem_stages(patch_size):
    """Block sides of the hMLP stem's three stages (common/convolution-shapes.ts): a quarter of the patch, 2, 2."""
    return [patch_size // 4, 2, 2]


def hierarchical_stem_channels(width, content, patch_size):
    sides = hierarchical_stem_stages(patch_size)
    return [content if stage == len(sides) - 1 else max(8, width // 4) for stage in range(len(sides))]


def parallel_branch_stages(width, image_size, patch_size, lateral_count):
    grid, size, shapes = image_size // patch_size, image_size, []
    for stage in range(lateral_count):
        stride = 2 if size > grid else 1
        size //= stride
        shapes.append({"channels": max(1, width // 2 ** (lateral_count - 1 - stage)), "mapSize": size, "stride": stride})
    return shapes


def conv_weight(weight, kernel):
    """The desktop's [kernel² · in, out] (taps outermost) as PyTorch's [out, in, kernel, kernel]."""
    fan_in, out = weight.shape
    return weight.reshape(kernel, kernel, fan_in // (kernel * kernel), out).permute(3, 2, 0, 1)


def depthwise_weight(weight, kernel):
    """The desktop's [kernel², channels] (taps row-major) as PyTorch's grouped [channels, 1, kernel, kernel]."""
    return weight.reshape(kernel, kernel, -1).permute(2, 0, 1).unsqueeze(1)


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
            if image and config.get("imageStem", "linear") == "convolutional":
                channels = stem_channels(width, config["patchSize"])
                for stage, out in enumerate(channels):
                    self._conv_stage(f"image.convolutionalStem.{stage}", 1 if stage == 0 else channels[stage - 1], out)
                self._create("image.convolutionalStem.projection", [width, content], normal(1 / math.sqrt(width)))
            elif image and config.get("imageStem", "linear") == "hierarchical":
                sides = hierarchical_stem_stages(config["patchSize"])
                channels = hierarchical_stem_channels(width, content, config["patchSize"])
                for stage, (side, out) in enumerate(zip(sides, channels)):
                    self._linear(f"image.hierarchicalStem.{stage}", side * side * (1 if stage == 0 else channels[stage - 1]), out)
                    if stage < len(sides) - 1:
                        self._create(f"image.hierarchicalStem.{stage}.norm.gain", [out], ("ones",))
                        self._create(f"image.hierarchicalStem.{stage}.norm.shift", [out], ("zeros",))
            elif image:
                self._linear("image.patchEmbedding", config["patchSize"] ** 2, content)
            if image and config.get("parallelBranchLayers"):
                self._parallel_branch(config)
            if not image:
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

    def _conv_stage(self, name, inputs, outputs):
        fan_in = 9 * inputs
        # He initialisation: the stage ends in a ReLU.
        self._create(f"{name}.weight", [fan_in, outputs], ("normal", math.sqrt(2 / fan_in)))
        self._create(f"{name}.norm.gain", [outputs], ("ones",))
        self._create(f"{name}.norm.shift", [outputs], ("zeros",))

    def _parallel_branch(self, config):
        width = config["width"]
        shapes = parallel_branch_stages(width, config["imageSize"], config["patchSize"], len(config["parallelBranchLayers"]))
        grid = config["imageSize"] // config["patchSize"]
        for stage, shape in enumerate(shapes):
            self._conv_stage(f"image.parallelBranch.stage.{stage}", 1 if stage == 0 else shapes[stage - 1]["channels"],
                             shape["channels"])
        for index, shape in enumerate(shapes):
            kernel, channels, adapter = shape["mapSize"] // grid, shape["channels"], f"image.parallelBranch.adapter.{index}"
            self._create(f"{adapter}.mapFilter", [kernel * kernel, channels], ("normal", 1 / kernel))
            self._create(f"{adapter}.mapNorm.gain", [channels], ("ones",))
            self._create(f"{adapter}.mapNorm.shift", [channels], ("zeros",))
            self._create(f"{adapter}.pointwise", [channels, width], ("normal", 1 / math.sqrt(channels)))
            self._create(f"{adapter}.tokenFilter", [9, width], ("normal", 1 / 3))
            for norm in ("tokenNorm", "mergeNorm"):
                self._create(f"{adapter}.{norm}.gain", [width], ("ones",))
                self._create(f"{adapter}.{norm}.shift", [width], ("zeros",))

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

    def _named_norm(self, x, name):
        return F.layer_norm(x, (x.shape[-1],), self.get(f"{name}.gain"), self.get(f"{name}.shift"), 1e-5)

    def _conv_stage_apply(self, image, name, stride):
        """Convolution (3 × 3, padding 1), a LayerNorm over each position's channels, ReLU: NCHW in and out."""
        convolved = F.conv2d(image, conv_weight(self.get(f"{name}.weight"), 3), stride=stride, padding=1)
        return F.relu(self._named_norm(convolved.permute(0, 2, 3, 1), f"{name}.norm")).permute(0, 3, 1, 2)

    def _image_from_patches(self, patches):
        size, patch = self.config["imageSize"], self.config["patchSize"]
        grid = size // patch
        return (patches.reshape(-1, grid, grid, patch, patch).permute(0, 1, 3, 2, 4)
                .reshape(-1, 1, size, size))

    def _hierarchical_stem(self, patches):
        """The hMLP stem (ml/model/layers/hierarchical-stem.ts) as non-overlapping convolutions over each patch: a
        block's pixels row-major, then each 2 × 2 of blocks (row-major) with their channels side by side."""
        batch, count, _ = patches.shape
        patch = self.config["patchSize"]
        sides = hierarchical_stem_stages(patch)
        first = sides[0]
        blocks = patch // first
        x = (patches.reshape(batch * count, blocks, first, blocks, first).permute(0, 1, 3, 2, 4)
             .reshape(batch * count, blocks, blocks, first * first))
        for stage in range(len(sides)):
            if stage > 0:
                rows, channels = x.shape[1], x.shape[-1]
                x = (x.reshape(batch * count, rows // 2, 2, rows // 2, 2, channels).permute(0, 1, 3, 2, 4, 5)
                     .reshape(batch * count, rows // 2, rows // 2, 4 * channels))
            name = f"image.hierarchicalStem.{stage}"
            x = x @ self.get(f"{name}.weight") + self.get(f"{name}.bias")
            if stage < len(sides) - 1:
                x = F.gelu(self._named_norm(x, f"{name}.norm"), approximate="tanh")
        return x.reshape(batch, count, -1)

    def _patch_content(self, patches):
        if self.has("image.hierarchicalStem.0.weight"):
            return self._hierarchical_stem(patches)
        if not self.has("image.convolutionalStem.projection"):
            return patches @ self.get("image.patchEmbedding.weight") + self.get("image.patchEmbedding.bias")
        stages = len(stem_channels(self.config["width"], self.config["patchSize"]))
        image = self._image_from_patches(patches)
        for stage in range(stages):
            image = self._conv_stage_apply(image, f"image.convolutionalStem.{stage}", 2)
        positions = image.flatten(2).transpose(1, 2)
        return positions @ self.get("image.convolutionalStem.projection")

    def _lateral(self, index, tokens, branch_map, prefix_length):
        """Branch stage `index`, then its adapter writes the branch into the patch tokens (parallel-branch.ts)."""
        config = self.config
        shape = parallel_branch_stages(config["width"], config["imageSize"], config["patchSize"],
                                       len(config["parallelBranchLayers"]))[index]
        stepped = self._conv_stage_apply(branch_map, f"image.parallelBranch.stage.{index}", shape["stride"])
        adapter = f"image.parallelBranch.adapter.{index}"
        batch, count, width = tokens.shape
        grid = math.isqrt(count - prefix_length)
        kernel = stepped.shape[-1] // grid
        channels = stepped.shape[1]
        pooled = F.conv2d(stepped, depthwise_weight(self.get(f"{adapter}.mapFilter"), kernel), stride=kernel, groups=channels)
        into_tokens = self._named_norm(pooled.flatten(2).transpose(1, 2), f"{adapter}.mapNorm") @ self.get(f"{adapter}.pointwise")
        grid_tokens = tokens[:, prefix_length:].transpose(1, 2).reshape(batch, width, grid, grid)
        filtered = F.conv2d(grid_tokens, depthwise_weight(self.get(f"{adapter}.tokenFilter"), 3), padding=1, groups=width)
        merged = self._named_norm(filtered.flatten(2).transpose(1, 2), f"{adapter}.tokenNorm") + into_tokens
        tokens = self._named_norm(torch.cat([tokens[:, :prefix_length], merged], 1), f"{adapter}.mergeNorm")
        return tokens, stepped

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
        patch_tokens = self._with_feature(self._patch_content(patches), "image") + positions[len(prefix) :]
        sequence = torch.cat([torch.cat(prefix, 1) + positions[: len(prefix)], patch_tokens], 1)
        return self._finish(sequence, "image", len(prefix) - 1, None, patches)

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

    def _finish(self, sequence, modality, class_index, key_bias, patches=None):
        hidden = sequence
        laterals = (self.config.get("parallelBranchLayers") or []) if modality == "image" else []
        branch_map = self._image_from_patches(patches) if laterals else None
        for index, block in enumerate(self._block_names(modality)):
            if index in laterals:
                hidden, branch_map = self._lateral(laterals.index(index), hidden, branch_map, class_index + 1)
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
