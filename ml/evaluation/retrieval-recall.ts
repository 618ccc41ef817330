import type { RecallAtK, RetrievalMetrics } from '../../common/contract/evaluation.js';

export const recallCutoffs = [1, 5, 10] as const;

/**
 * Recall@1/5/10 in both directions for N paired, L2-normalised embeddings (row i of each is one pair). Ties count
 * against the query: a pair is found at rank r when fewer than r candidates score at least as high, other than itself.
 */
export function retrievalRecall(
  imageEmbeddings: Float32Array,
  textEmbeddings: Float32Array,
  size: number,
): RetrievalMetrics {
  const pairs = imageEmbeddings.length / size;
  if (!Number.isInteger(pairs) || textEmbeddings.length !== imageEmbeddings.length)
    throw new Error('image and text embeddings must be N × size each');
  const similarity = new Float32Array(pairs * pairs);
  for (let image = 0; image < pairs; image++) {
    for (let text = 0; text < pairs; text++) {
      let dot = 0;
      for (let index = 0; index < size; index++)
        dot += imageEmbeddings[image * size + index]! * textEmbeddings[text * size + index]!;
      similarity[image * pairs + text] = dot;
    }
  }
  const rankOfPair = (query: number, score: (candidate: number) => number): number => {
    const own = score(query);
    let better = 0;
    for (let candidate = 0; candidate < pairs; candidate++)
      if (candidate !== query && score(candidate) >= own) better++;
    return better;
  };
  const imageRanks = Array.from({ length: pairs }, (_, image) =>
    rankOfPair(image, (text) => similarity[image * pairs + text]!),
  );
  const textRanks = Array.from({ length: pairs }, (_, text) =>
    rankOfPair(text, (image) => similarity[image * pairs + text]!),
  );
  const summarise = (ranks: number[]): RecallAtK => ({
    recall: Object.fromEntries(
      recallCutoffs.map((k) => [k, ranks.filter((rank) => rank < k).length / pairs]),
    ) as RecallAtK['recall'],
    chance: Object.fromEntries(recallCutoffs.map((k) => [k, Math.min(1, k / pairs)])) as RecallAtK['chance'],
  });
  return { pairs, imageToText: summarise(imageRanks), textToImage: summarise(textRanks) };
}
