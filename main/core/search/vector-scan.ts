/** The dot product of row `row` of `vectors` ([rows, dimension]) with `query`. */
export function rowDotProduct(vectors: Float32Array, row: number, dimension: number, query: Float32Array): number {
  let sum = 0;
  for (let column = 0; column < dimension; column++) sum += vectors[row * dimension + column]! * query[column]!;
  return sum;
}

/**
 * Exact nearest neighbours by dot product over unit vectors held in one Float32Array, [rows, dimension]: a single
 * pass that keeps the k best in a small sorted buffer. Measured faster than sqlite-vec's own scan at 1M vectors
 * (bench/RESULTS.md), which stays the index's store.
 */
export function topByDotProduct(
  vectors: Float32Array,
  dimension: number,
  query: Float32Array,
  k: number,
): Array<{ row: number; score: number }> {
  const rows = vectors.length / dimension;
  const take = Math.min(k, rows);
  const bestRows = new Int32Array(take).fill(-1);
  const bestScores = new Float32Array(take).fill(Number.NEGATIVE_INFINITY);
  const unrolled = dimension - (dimension % 4);
  for (let row = 0; row < rows; row++) {
    const offset = row * dimension;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let column = 0; column < unrolled; column += 4) {
      sum0 += vectors[offset + column]! * query[column]!;
      sum1 += vectors[offset + column + 1]! * query[column + 1]!;
      sum2 += vectors[offset + column + 2]! * query[column + 2]!;
      sum3 += vectors[offset + column + 3]! * query[column + 3]!;
    }
    let score = sum0 + sum1 + sum2 + sum3;
    for (let column = unrolled; column < dimension; column++) score += vectors[offset + column]! * query[column]!;
    if (score <= bestScores[take - 1]!) continue;
    let position = take - 1;
    while (position > 0 && bestScores[position - 1]! < score) {
      bestScores[position] = bestScores[position - 1]!;
      bestRows[position] = bestRows[position - 1]!;
      position -= 1;
    }
    bestScores[position] = score;
    bestRows[position] = row;
  }
  const found: Array<{ row: number; score: number }> = [];
  for (let index = 0; index < take; index++)
    if (bestRows[index]! >= 0) found.push({ row: bestRows[index]!, score: bestScores[index]! });
  return found;
}
