import { z } from 'zod';
import {
  hierarchicalStemChannels,
  hierarchicalStemStages,
  parallelBranchStages,
  stemChannels,
} from './convolution-shapes.js';

/**
 * How the encoder is told which modality a sequence is (Roy et al. 2025, §3): `feature` concatenates a learnable
 * k-dimensional vector to every token, shrinking the content embedding to d − k (paper: 20 of 768); `token` prepends
 * one learnable d-dimensional token; `none` gives no signal beyond the separate embeddings.
 */
export const ModalityIdentifier = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('feature'),
    featureWidth: z.number().int().min(1),
    /**
     * The reference code draws the feature from N(0, 1) while token embeddings start at N(0, 0.02²): every token then
     * begins as mostly the same modality vector, and a short CPU run stalls at the collapsed solution (loss = ln B)
     * before it learns. The CPU presets start it at the token scale; `paper` keeps 1.
     */
    initialStandardDeviation: z.number().positive().default(1),
  }),
  z.strictObject({ kind: z.literal('token') }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type ModalityIdentifier = z.infer<typeof ModalityIdentifier>;

export const ImagePositionInitialisation = z.enum(['normal', 'sinusoidal']);

/**
 * Which parts of each shared block both modalities use (MS-CLIP, You et al. 2022): the paper shares attention and MLP
 * and keeps the LayerNorms modality-specific; the shared encoder of Roy et al. shares all three. A part not shared
 * becomes one copy per modality at that position in the stack.
 */
export const SharedBlockParts = z.strictObject({ attention: z.boolean(), mlp: z.boolean(), layerNorms: z.boolean() });
export type SharedBlockParts = z.infer<typeof SharedBlockParts>;
/** How image patches become tokens (EncoderConfig.imageStem). */
export const imageStems = ['linear', 'convolutional', 'hierarchical'] as const;

const everyPartShared: SharedBlockParts = { attention: true, mlp: true, layerNorms: true };

export const EncoderConfig = z
  .strictObject({
    /** `shared`: one transformer stack for both modalities; `separate`: the CLIP baseline, one stack each. */
    architecture: z.enum(['shared', 'separate']),
    width: z.number().int().min(8),
    heads: z.number().int().min(1),
    /** Layers of the shared stack; the separate baseline splits them between its two stacks (same parameter count). */
    sharedLayers: z.number().int().min(1),
    /** Modality-specific layers before (`early`) and after (`late`) the shared stack: Eq. 2 of the paper. */
    earlyLayers: z.number().int().min(0),
    lateLayers: z.number().int().min(0),
    /** The first n shared layers keep their initial (or loaded) weights during training. */
    frozenSharedLayers: z.number().int().min(0),
    mlpRatio: z.number().int().min(1),
    modalityIdentifier: ModalityIdentifier,
    imageSize: z.number().int().min(8),
    patchSize: z.number().int().min(2),
    vocabularySize: z.number().int().min(8),
    /**
     * How the image's learnable positional embeddings start. `normal`: N(0, 0.01²), the ViT/CLIP practice the paper
     * follows; next to patch embeddings of unit scale they carry almost no position, and learning them takes far more
     * steps than a CPU run has, so the image side stays a bag of patches that cannot tell left from right.
     * `sinusoidal`: MAE's 2-D sine–cosine values at the patches' scale, still learned from there (the CPU presets).
     */
    imagePositionInitialisation: ImagePositionInitialisation.default('normal'),
    sharedBlockParts: SharedBlockParts.default(everyPartShared),
    /**
     * How image patches become tokens. `linear`: one matrix over each patch's pixels (ViT). `convolutional`: MS-CLIP's
     * early convolution, stride-2 3 × 3 convolutions down to the patch grid (layers/convolutional-stem.ts).
     * `hierarchical`: the hMLP stem, non-overlapping 4 × 4 then 2 × 2 convolutions inside each patch
     * (layers/hierarchical-stem.ts).
     */
    imageStem: z.enum(imageStems).default('linear'),
    /**
     * MS-CLIP's parallel convolutional branch: the image blocks (counted over early, shared and late, from 0) before
     * which it writes into the patch tokens, one branch stage each; MS-CLIP B/16: [2, 4, 6, 8, 10]. Empty: no branch.
     */
    parallelBranchLayers: z.array(z.number().int().min(0)).default([]),
    /** Text positions including the CLS token. */
    maximumTextTokens: z.number().int().min(2),
    embeddingSize: z.number().int().min(2),
    initialTemperature: z.number().positive(),
    maximumLogitScale: z.number().positive(),
  })
  .superRefine((config, context) => {
    const issue = (message: string) => context.addIssue({ code: 'custom', message });
    if (config.width % config.heads !== 0) issue(`width ${config.width} is not divisible by ${config.heads} heads`);
    if (config.imageSize % config.patchSize !== 0)
      issue(`image size ${config.imageSize} is not a multiple of the patch size ${config.patchSize}`);
    if (config.modalityIdentifier.kind === 'feature' && config.modalityIdentifier.featureWidth >= config.width)
      issue('the modality feature must be narrower than the width');
    if (config.frozenSharedLayers > config.sharedLayers) issue('cannot freeze more shared layers than there are');
    if (config.architecture === 'separate' && config.sharedLayers % 2 !== 0)
      issue('the separate baseline splits the shared layers between two stacks: use an even number');
    const parts = config.sharedBlockParts;
    if (config.architecture === 'separate' && !(parts.attention && parts.mlp && parts.layerNorms))
      issue('the separate baseline shares no block: sharedBlockParts applies to the shared encoder only');
    if (config.imageStem === 'hierarchical' && !hierarchicalStemStages(config.patchSize))
      issue(
        `the hMLP stem splits a patch in quarters, then halves twice: patch size ${config.patchSize} is not a multiple of 4`,
      );
    const convolutional = config.imageStem === 'convolutional' || config.parallelBranchLayers.length > 0;
    if (convolutional && !Number.isInteger(Math.log2(config.patchSize)))
      issue(
        `the convolutional stem and branch halve the image down to patches: patch size ${config.patchSize} is not a power of two`,
      );
    const imageBlocks = imageBlockCount(config);
    config.parallelBranchLayers.forEach((layer, index) => {
      if (layer >= imageBlocks) issue(`parallel branch layer ${layer} is past the image's ${imageBlocks} blocks`);
      if (index > 0 && layer <= config.parallelBranchLayers[index - 1]!)
        issue('parallel branch layers must be listed in increasing order, each once');
    });
  });
export type EncoderConfig = z.infer<typeof EncoderConfig>;

/** Blocks an image passes through: early, the shared stack (or its own half in the separate baseline), late. */
export function imageBlockCount(
  config: Pick<EncoderConfig, 'architecture' | 'sharedLayers' | 'earlyLayers' | 'lateLayers'>,
): number {
  const stack = config.architecture === 'shared' ? config.sharedLayers : config.sharedLayers / 2;
  return config.earlyLayers + stack + config.lateLayers;
}

export function patchesPerImage(config: EncoderConfig): number {
  return (config.imageSize / config.patchSize) ** 2;
}

/** Width of what the patch and token embeddings produce: the modality feature takes the rest. */
export function contentWidth(config: EncoderConfig): number {
  return config.modalityIdentifier.kind === 'feature'
    ? config.width - config.modalityIdentifier.featureWidth
    : config.width;
}

const common = {
  architecture: 'shared',
  earlyLayers: 0,
  lateLayers: 0,
  frozenSharedLayers: 0,
  mlpRatio: 4,
  initialTemperature: 0.07,
  maximumLogitScale: 100,
} as const;

/** Seed 000's encoder: every block part shared, a linear patch embedding, no convolutional branch. */
export const withoutModalitySpecificParts: Pick<
  EncoderConfig,
  'sharedBlockParts' | 'imageStem' | 'parallelBranchLayers'
> = {
  sharedBlockParts: everyPartShared,
  imageStem: 'linear',
  parallelBranchLayers: [],
};

/**
 * `paper` is the published setting (ViT-B/16-like, for GPU machines); `cpu-fast` and `balanced` scale it down so a
 * laptop CPU can train it, keeping the same structure.
 */
export const encoderPresets = {
  'cpu-fast': {
    ...common,
    ...withoutModalitySpecificParts,
    imagePositionInitialisation: 'sinusoidal',
    width: 64,
    heads: 4,
    sharedLayers: 2,
    modalityIdentifier: { kind: 'feature', featureWidth: 8, initialStandardDeviation: 0.02 },
    imageSize: 128,
    patchSize: 16,
    vocabularySize: 4096,
    maximumTextTokens: 64,
    embeddingSize: 128,
  },
  balanced: {
    ...common,
    ...withoutModalitySpecificParts,
    imagePositionInitialisation: 'sinusoidal',
    width: 256,
    heads: 4,
    sharedLayers: 6,
    modalityIdentifier: { kind: 'feature', featureWidth: 12, initialStandardDeviation: 0.02 },
    imageSize: 192,
    patchSize: 16,
    vocabularySize: 8192,
    maximumTextTokens: 96,
    embeddingSize: 256,
  },
  paper: {
    ...common,
    ...withoutModalitySpecificParts,
    imagePositionInitialisation: 'normal',
    width: 768,
    heads: 12,
    sharedLayers: 12,
    modalityIdentifier: { kind: 'feature', featureWidth: 20, initialStandardDeviation: 1 },
    imageSize: 224,
    patchSize: 16,
    vocabularySize: 30522,
    maximumTextTokens: 77,
    embeddingSize: 512,
  },
} satisfies Record<string, EncoderConfig>;
export type EncoderPresetName = keyof typeof encoderPresets;

/**
 * Epochs and peak learning rate (batches of 32) per preset, used where a run does not set them. The CPU preset is
 * small, so it can take many passes and a high rate inside its minutes (bench/RESULTS.md); the larger presets keep
 * 2 × 10⁻⁴, above which d 128 and wider collapsed to one embedding for every input (README).
 */
export const presetTraining: Record<
  EncoderPresetName,
  { epochs: number; peakLearningRate: number; wordPredictionWeight: number }
> = {
  // Word prediction helps the CPU preset's image side once its reports are read whole first (bench/RESULTS.md).
  'cpu-fast': { epochs: 60, peakLearningRate: 1e-3, wordPredictionWeight: 10 },
  // Measured on the demo library: 10 epochs without word prediction stayed near the plateau (Recall@10 2.5× chance);
  // 30 with it reach cpu-fast's figures (7.8×; bench/RESULTS.md).
  balanced: { epochs: 30, peakLearningRate: 2e-4, wordPredictionWeight: 10 },
  // The shared-encoder paper's objective alone.
  paper: { epochs: 10, peakLearningRate: 2e-4, wordPredictionWeight: 0 },
};

/** Weights of one configuration, counted without building it (the core shows sizes without loading TensorFlow). */
export function countParameters(config: EncoderConfig): number {
  const { width, mlpRatio, embeddingSize } = config;
  const parts = {
    layerNorms: 2 * 2 * width,
    attention: 4 * (width * width + width),
    mlp: 2 * width * width * mlpRatio + width * mlpRatio + width,
  };
  const block = parts.layerNorms + parts.attention + parts.mlp;
  const shared = config.sharedBlockParts;
  // A part not shared is one copy per modality.
  const sharedBlock = (['layerNorms', 'attention', 'mlp'] as const).reduce(
    (sum, part) => sum + parts[part] * (config.architecture === 'shared' && !shared[part] ? 2 : 1),
    0,
  );
  const identifier = config.modalityIdentifier;
  const content = contentWidth(config);
  const identifierTokens = identifier.kind === 'token' ? 1 : 0;
  const perModality = (sequenceLength: number) =>
    (identifier.kind === 'feature' ? identifier.featureWidth : 0) +
    (identifier.kind === 'token' ? width : 0) +
    (sequenceLength + identifierTokens) * width +
    (config.earlyLayers + config.lateLayers) * block +
    2 * width +
    width * embeddingSize;
  const convolutionStage = (inChannels: number, outChannels: number) => 9 * inChannels * outChannels + 2 * outChannels;
  const stemChannelList = stemChannels(width, config.patchSize);
  const hierarchicalChannels = hierarchicalStemChannels(width, content, config.patchSize);
  const hierarchicalSides = hierarchicalStemStages(config.patchSize) ?? [];
  const patchEmbedding =
    config.imageStem === 'linear'
      ? config.patchSize ** 2 * content + content
      : config.imageStem === 'hierarchical'
        ? hierarchicalChannels.reduce(
            (sum, channels, stage) =>
              sum +
              hierarchicalSides[stage]! ** 2 * (stage === 0 ? 1 : hierarchicalChannels[stage - 1]!) * channels +
              channels +
              (stage === hierarchicalChannels.length - 1 ? 0 : 2 * channels),
            0,
          )
        : stemChannelList.reduce(
            (sum, channels, stage) => sum + convolutionStage(stage === 0 ? 1 : stemChannelList[stage - 1]!, channels),
            0,
          ) +
          width * content;
  const grid = config.imageSize / config.patchSize;
  const branch = parallelBranchStages({
    width,
    imageSize: config.imageSize,
    patchSize: config.patchSize,
    lateralCount: config.parallelBranchLayers.length,
  });
  const parallelBranch = branch.reduce((sum, { channels, mapSize }, stage) => {
    const adapter = (mapSize / grid) ** 2 * channels + 2 * channels + channels * width + 9 * width + 2 * 2 * width;
    return sum + convolutionStage(stage === 0 ? 1 : branch[stage - 1]!.channels, channels) + adapter;
  }, 0);
  const image = perModality(patchesPerImage(config) + 1) + patchEmbedding + parallelBranch + width;
  const text = perModality(config.maximumTextTokens) + config.vocabularySize * content;
  return image + text + config.sharedLayers * sharedBlock + 1;
}
