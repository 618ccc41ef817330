import { describe, expect, it } from 'vitest';
import { buildReconstructionBatch } from '../../../ml/data/reconstruction-batch.js';
import type { HostBatch } from '../../../ml/data/pretraining-batches.js';
import { type EncoderConfig, encoderPresets, patchesPerImage } from '../../../common/encoder-config.js';

const config: EncoderConfig = {
  ...encoderPresets['cpu-fast'],
  imageSize: 32,
  patchSize: 8,
  maximumTextTokens: 40,
  vocabularySize: 50,
};

function hostBatch(size: number): HostBatch {
  const patches = patchesPerImage(config);
  const values = Float32Array.from(
    { length: size * patches * 64 },
    (_, index) => Math.sin(index * 0.37) * 100 + index * 0.01,
  );
  const tokenIds = new Int32Array(size * config.maximumTextTokens);
  const attentionMask = new Float32Array(size * config.maximumTextTokens);
  for (let row = 0; row < size; row++) {
    const length = 30 + row;
    for (let position = 0; position < length; position++) {
      tokenIds[row * config.maximumTextTokens + position] =
        position === 0 ? 1 : position === length - 1 ? 2 : 5 + ((row * 7 + position) % 40);
      attentionMask[row * config.maximumTextTokens + position] = 1;
    }
  }
  return { size, patches: values, tokenIds, attentionMask };
}

describe('reconstruction batch', () => {
  const batch = hostBatch(4);
  const masks = buildReconstructionBatch(
    batch,
    config,
    { patchMaskRatio: 0.75, tokenMaskProbability: 0.15 },
    'seed',
    3,
  );
  const patches = patchesPerImage(config);

  it("hides 75% of each image's patches and maps every patch to its kept row or the mask token", () => {
    expect(masks.keptPerImage).toBe(4);
    expect(masks.maskedPerImage).toBe(12);
    for (let image = 0; image < 4; image++) {
      const kept = Array.from(masks.keptFlat.subarray(image * 4, image * 4 + 4));
      const masked = Array.from(masks.maskedFlat.subarray(image * 12, image * 12 + 12));
      expect(new Set([...kept, ...masked]).size).toBe(patches);
      for (const flat of [...kept, ...masked]) expect(Math.floor(flat / patches)).toBe(image);
      kept.forEach((flat, rank) => expect(masks.unshuffle[flat]).toBe(image * 4 + rank));
      for (const flat of masked) expect(masks.unshuffle[flat]).toBe(4 * 4);
    }
  });

  it("targets each masked patch's pixels normalised to mean 0 and variance 1", () => {
    const first = masks.pixelTargets.subarray(0, 64);
    const mean = first.reduce((sum, value) => sum + value, 0) / 64;
    const variance = first.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 64;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 3);
    const flat = masks.maskedFlat[0]!;
    const source = batch.patches.subarray(flat * 64, flat * 64 + 64);
    expect(Math.sign(first[0]! - first[1]!)).toBe(Math.sign(source[0]! - source[1]!));
  });

  it('chooses about 15% of the real, non-special tokens to predict and remembers their ids', () => {
    const ordinary = batch.tokenIds.filter((id, index) => batch.attentionMask[index] === 1 && id >= 5).length;
    expect(masks.tokenPositions.length).toBeGreaterThan(ordinary * 0.05);
    expect(masks.tokenPositions.length).toBeLessThan(ordinary * 0.3);
    masks.tokenPositions.forEach((position, index) => {
      expect(masks.tokenTargets[index]).toBe(batch.tokenIds[position]);
      expect(batch.tokenIds[position]).toBeGreaterThanOrEqual(5);
    });
  });

  it('draws the same masks for the same seed and step, and different ones for another step', () => {
    expect(
      buildReconstructionBatch(batch, config, { patchMaskRatio: 0.75, tokenMaskProbability: 0.15 }, 'seed', 3),
    ).toEqual(masks);
    expect(
      Array.from(
        buildReconstructionBatch(batch, config, { patchMaskRatio: 0.75, tokenMaskProbability: 0.15 }, 'seed', 4)
          .keptFlat,
      ),
    ).not.toEqual(Array.from(masks.keptFlat));
  });
});
