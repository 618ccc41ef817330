/** The dot product of row `row` of `vectors` ([rows, dimension]) with `query`. */
export function rowDotProduct(vectors: Float32Array, row: number, dimension: number, query: Float32Array): number {
  let sum = 0;
  for (let column = 0; column < dimension; column++) sum += vectors[row * dimension + column]! * query[column]!;
  return sum;
}

/**
 * Exact nearest neighbours by dot product over unit vectors held in one Float32Array, [rows, dimension]: a single
 * pass that keeps the k best in a binary min-heap, so a large k (search re-ranking a thousand candidates) costs
 * log k a kept row rather than k. Equal scores keep the earlier row. Measured faster than sqlite-vec's own scan at
 * 1M vectors (bench/RESULTS.md), which stays the index's store.
 */
export function topByDotProduct(
  vectors: Float32Array,
  dimension: number,
  query: Float32Array,
  k: number,
): Array<{ row: number; score: number }> {
  const rows = vectors.length / dimension;
  const take = Math.min(k, rows);
  if (take <= 0) return [];
  const heapRows = new Int32Array(take);
  const heapScores = new Float32Array(take);
  let size = 0;
  // The heap's top is the worst kept row: the lowest score, and of equal scores the later row.
  const worse = (left: number, right: number) =>
    heapScores[left]! < heapScores[right]! ||
    (heapScores[left] === heapScores[right] && heapRows[left]! > heapRows[right]!);
  const swap = (left: number, right: number) => {
    const row = heapRows[left]!;
    heapRows[left] = heapRows[right]!;
    heapRows[right] = row;
    const score = heapScores[left]!;
    heapScores[left] = heapScores[right]!;
    heapScores[right] = score;
  };
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
    score = Math.fround(score);
    if (size < take) {
      let position = size++;
      heapRows[position] = row;
      heapScores[position] = score;
      while (position > 0 && worse(position, (position - 1) >> 1)) {
        swap(position, (position - 1) >> 1);
        position = (position - 1) >> 1;
      }
      continue;
    }
    // A later row replaces the worst kept one only with a strictly higher score.
    if (score <= heapScores[0]!) continue;
    heapRows[0] = row;
    heapScores[0] = score;
    for (let position = 0; ;) {
      const left = 2 * position + 1;
      const right = left + 1;
      let worst = position;
      if (left < size && worse(left, worst)) worst = left;
      if (right < size && worse(right, worst)) worst = right;
      if (worst === position) break;
      swap(position, worst);
      position = worst;
    }
  }
  return Array.from({ length: size }, (_, index) => ({ row: heapRows[index]!, score: heapScores[index]! })).sort(
    (left, right) => right.score - left.score || left.row - right.row,
  );
}
