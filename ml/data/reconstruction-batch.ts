import { SeededRandom } from '../../common/seeded-random.js';
import type { EncoderConfig } from '../../common/encoder-config.js';
import { patchesPerImage } from '../../common/encoder-config.js';
import { specialTokens } from '../tokenizer/bpe-tokenizer.js';
import { maskTokens, normalisedPatchTargets, randomPatchMask } from './masking.js';
import type { HostBatch } from './pretraining-batches.js';

export interface ReconstructionSettings {
  /** Share of each image's patches hidden from the encoder (UMD `mim_prob` 0.75). */
  patchMaskRatio: number;
  /** Chance each report token is chosen for prediction (UMD `mlm_prob` 0.15). */
  tokenMaskProbability: number;
}

/** Everything the masked objectives need beside the batch itself, as plain arrays indexing the flattened batch. */
export interface ReconstructionBatch {
  keptPerImage: number;
  maskedPerImage: number;
  /** Kept patches as indices into [batch · patches], image by image, in patch order. */
  keptFlat: Int32Array;
  /**
   * For every (image, patch): its row among [kept rows (batch · kept) ‖ the mask token (last row)]: MAE's unshuffle.
   */
  unshuffle: Int32Array;
  /** Masked patches as indices into [batch · patches]. */
  maskedFlat: Int32Array;
  /** Normalised pixels of each masked patch, [batch · masked, patchSize²]. */
  pixelTargets: Float32Array;
  /** Report tokens after masking, [batch, maximumTextTokens]. */
  maskedTokenIds: Int32Array;
  /** Positions (into [batch · maximumTextTokens]) of the tokens to predict, and their original ids. */
  tokenPositions: Int32Array;
  tokenTargets: Int32Array;
}

const firstOrdinaryId = Object.keys(specialTokens).length;
const maskId = Object.values(specialTokens).indexOf(specialTokens.mask);

/** Draws the patch and token masks of one batch from (seed, step), so a resumed run masks exactly as before. */
export function buildReconstructionBatch(
  batch: HostBatch,
  config: EncoderConfig,
  settings: ReconstructionSettings,
  seed: string,
  step: number,
): ReconstructionBatch {
  const random = new SeededRandom(`${seed}:reconstruct:${step}`);
  const patches = patchesPerImage(config);
  const patchValues = config.patchSize ** 2;
  const keptPerImage = Math.floor(patches * (1 - settings.patchMaskRatio));
  const maskedPerImage = patches - keptPerImage;
  const keptFlat = new Int32Array(batch.size * keptPerImage);
  const maskedFlat = new Int32Array(batch.size * maskedPerImage);
  const unshuffle = new Int32Array(batch.size * patches).fill(batch.size * keptPerImage);
  const pixelTargets = new Float32Array(batch.size * maskedPerImage * patchValues);
  for (let image = 0; image < batch.size; image++) {
    const { kept, masked } = randomPatchMask(patches, settings.patchMaskRatio, random);
    kept.forEach((patch, rank) => {
      keptFlat[image * keptPerImage + rank] = image * patches + patch;
      unshuffle[image * patches + patch] = image * keptPerImage + rank;
    });
    masked.forEach((patch, rank) => {
      maskedFlat[image * maskedPerImage + rank] = image * patches + patch;
      const source = batch.patches.subarray(
        (image * patches + patch) * patchValues,
        (image * patches + patch + 1) * patchValues,
      );
      pixelTargets.set(normalisedPatchTargets(source, patchValues), (image * maskedPerImage + rank) * patchValues);
    });
  }
  const masked = maskTokens(
    batch.tokenIds,
    batch.attentionMask,
    { probability: settings.tokenMaskProbability, maskId, firstOrdinaryId, vocabularySize: config.vocabularySize },
    random,
  );
  const tokenPositions: number[] = [];
  const tokenTargets: number[] = [];
  masked.targets.forEach((target, position) => {
    if (target < 0) return;
    tokenPositions.push(position);
    tokenTargets.push(target);
  });
  return {
    keptPerImage,
    maskedPerImage,
    keptFlat,
    unshuffle,
    maskedFlat,
    pixelTargets,
    maskedTokenIds: masked.inputIds,
    tokenPositions: Int32Array.from(tokenPositions),
    tokenTargets: Int32Array.from(tokenTargets),
  };
}
