import { describe, expect, it } from 'vitest';
import { sinusoidalPatchPositions } from '../../../ml/model/layers/sinusoidal-positions.js';

describe('sinusoidalPatchPositions', () => {
  const width = 16;
  const gridSide = 4;
  const values = sinusoidalPatchPositions(gridSide, width, 1);
  const row = (token: number) => Array.from(values.subarray(token * width, (token + 1) * width));

  it('lays out one zero prefix row, then patches row-major, each as row sines, row cosines, column sines, column cosines', () => {
    expect(values).toHaveLength((1 + gridSide * gridSide) * width);
    expect(row(0).every((value) => value === 0)).toBe(true);
    const patch = row(1 + 2 * gridSide + 3);
    const frequencies = width / 4;
    for (let index = 0; index < frequencies; index++) {
      const omega = 1 / 10_000 ** (index / frequencies);
      expect(patch[index]).toBeCloseTo(Math.sin(2 * omega), 6);
      expect(patch[frequencies + index]).toBeCloseTo(Math.cos(2 * omega), 6);
      expect(patch[2 * frequencies + index]).toBeCloseTo(Math.sin(3 * omega), 6);
      expect(patch[3 * frequencies + index]).toBeCloseTo(Math.cos(3 * omega), 6);
    }
  });

  it('gives every patch a different vector, mirrored patches included (left and right lungs)', () => {
    const seen = new Set<string>();
    for (let token = 1; token <= gridSide * gridSide; token++)
      seen.add(
        row(token)
          .map((value) => value.toFixed(4))
          .join(','),
      );
    expect(seen.size).toBe(gridSide * gridSide);
  });

  it('leaves the channels beyond a multiple of four at zero', () => {
    const odd = sinusoidalPatchPositions(2, 10, 0);
    for (let token = 0; token < 4; token++)
      expect(Array.from(odd.subarray(token * 10 + 8, token * 10 + 10))).toEqual([0, 0]);
  });
});
