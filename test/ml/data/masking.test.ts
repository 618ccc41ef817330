import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../common/seeded-random.js';
import { maskTokens, normalisedPatchTargets, randomPatchMask } from '../../../ml/data/masking.js';
import { maskId } from '../../../ml/tokenizer/bpe-tokenizer.js';

describe('masking for the reconstruction objectives', () => {
  it("masks exactly 75% of an image's patches, a different set per draw, kept and masked partitioning them", () => {
    const random = new SeededRandom('mim');
    const first = randomPatchMask(64, 0.75, random);
    expect(first.masked).toHaveLength(48);
    expect(first.kept).toHaveLength(16);
    expect([...first.kept, ...first.masked].sort((left, right) => left - right)).toEqual(
      Array.from({ length: 64 }, (_, index) => index),
    );
    expect(randomPatchMask(64, 0.75, random).masked).not.toEqual(first.masked);
    expect(randomPatchMask(196, 0.75, random).kept).toHaveLength(49);
    expect(() => randomPatchMask(64, 1, random)).toThrow(/ratio/);
  });

  it('normalises each patch to zero mean and unit variance (MAE norm_pix_loss)', () => {
    const targets = normalisedPatchTargets(Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10]), 4);
    const first = Array.from(targets.subarray(0, 4));
    expect(first.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 5);
    expect(first.reduce((sum, value) => sum + value * value, 0) / 4).toBeCloseTo(1, 4);
    expect(first[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25 + 1e-6), 5);
    expect(Array.from(targets.subarray(4))).toEqual([0, 0, 0, 0]);
  });

  it('chooses about 15% of real tokens for prediction, never specials or padding, 80/10/10 mask/random/keep', () => {
    const random = new SeededRandom('mlm');
    const length = 64;
    const rows = 2000;
    const tokenIds = new Int32Array(rows * length);
    const attentionMask = new Float32Array(rows * length);
    for (let row = 0; row < rows; row++) {
      for (let position = 0; position < length; position++) {
        const real = position < 48;
        tokenIds[row * length + position] = !real
          ? 0
          : position === 0
            ? 1
            : position === 47
              ? 2
              : 5 + ((row + position) % 400);
        attentionMask[row * length + position] = real ? 1 : 0;
      }
    }
    const { inputIds, targets } = maskTokens(
      tokenIds,
      attentionMask,
      { probability: 0.15, maskId, firstOrdinaryId: 5, vocabularySize: 405 },
      random,
    );
    let chosen = 0;
    let masked = 0;
    let kept = 0;
    let violations = 0;
    for (let index = 0; index < tokenIds.length; index++) {
      if (targets[index] === -1) {
        if (inputIds[index] !== tokenIds[index]) violations += 1;
        continue;
      }
      if (tokenIds[index]! < 5 || targets[index] !== tokenIds[index]) violations += 1;
      chosen += 1;
      if (inputIds[index] === maskId) masked += 1;
      else if (inputIds[index] === tokenIds[index]) kept += 1;
    }
    expect(violations).toBe(0);
    const ordinary = rows * 46;
    expect(chosen / ordinary).toBeGreaterThan(0.14);
    expect(chosen / ordinary).toBeLessThan(0.16);
    expect(masked / chosen).toBeCloseTo(0.8, 1);
    expect(kept / chosen).toBeGreaterThan(0.08);
    expect(kept / chosen).toBeLessThan(0.12);
  });
});
