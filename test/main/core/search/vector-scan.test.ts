import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { topByDotProduct } from '../../../../main/core/search/vector-scan.js';

describe('exact top-k by dot product', () => {
  it.each([7, 128, 130])('equals sorting every row by its dot product (dimension %i)', (dimension) => {
    const random = new SeededRandom(`scan-${dimension}`);
    const rows = 500;
    const vectors = Float32Array.from({ length: rows * dimension }, () => random.next() - 0.5);
    const query = Float32Array.from({ length: dimension }, () => random.next() - 0.5);
    const expected = Array.from({ length: rows }, (_, row) => ({
      row,
      score: vectors
        .subarray(row * dimension, (row + 1) * dimension)
        .reduce((sum, value, column) => sum + value * query[column]!, 0),
    }))
      .sort((left, right) => right.score - left.score)
      .slice(0, 10);
    const found = topByDotProduct(vectors, dimension, query, 10);
    expect(found.map((hit) => hit.row)).toEqual(expected.map((hit) => hit.row));
    found.forEach((hit, index) => expect(hit.score).toBeCloseTo(expected[index]!.score, 4));
  });

  it('equals sorting every row for a large k too, equal scores in row order', () => {
    const random = new SeededRandom('scan-large-k');
    const dimension = 16;
    const rows = 2000;
    // Sixteenths: every dot product is exact in float32, whatever order it is summed in, so ties are real ties.
    const sixteenth = () => Math.round((random.next() - 0.5) * 16) / 16;
    const vectors = Float32Array.from({ length: rows * dimension }, sixteenth);
    const query = Float32Array.from({ length: dimension }, sixteenth);
    const scores = Array.from({ length: rows }, (_, row) =>
      vectors.subarray(row * dimension, (row + 1) * dimension).reduce((sum, value, column) => {
        return sum + value * query[column]!;
      }, 0),
    );
    expect(new Set(scores).size).toBeLessThan(rows / 4);
    const sorted = Array.from({ length: rows }, (_, row) => row).sort(
      (left, right) => scores[right]! - scores[left]! || left - right,
    );
    for (const k of [1, 37, 1000, 1999]) {
      const found = topByDotProduct(vectors, dimension, query, k);
      expect(found.map((hit) => hit.row)).toEqual(sorted.slice(0, k));
      expect(found.map((hit) => hit.score)).toEqual(sorted.slice(0, k).map((row) => scores[row]));
    }
  });

  it('returns every row when k exceeds them, and nothing for an empty index', () => {
    expect(
      topByDotProduct(Float32Array.from([1, 0, 0, 1, 0.5, 0.5]), 2, Float32Array.from([1, 0]), 10).map(
        (hit) => hit.row,
      ),
    ).toEqual([0, 2, 1]);
    expect(topByDotProduct(new Float32Array(0), 4, new Float32Array(4), 10)).toEqual([]);
  });
});
