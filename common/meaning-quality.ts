import type { ModelRecord, RetrievalMetrics } from './contract/index.js';
import type { MeaningQuality } from './contract/search.js';

/** At least this many times chance at Recall@10 before meaning is trusted to add images of its own. */
export const trustedTimesChance = 2;
/** And better than chance beyond doubt: a one-sided binomial test at p < 0.01. */
const oneSidedZ = 2.326;

/**
 * Plain TypeScript, shared by the core (which decides what search returns) and the renderer (which labels models).
 * How well a model matches text to images, from its held-out test split (text→image Recall@10 against chance): a model
 * no better than chance must not be shown as finding images "by meaning".
 */
export function meaningQuality(model: ModelRecord): MeaningQuality {
  return retrievalQuality(model.name, model.metrics.test);
}

/** A test split's text→image Recall@10 beside its chance, in words. */
export function measuredRetrieval(test: RetrievalMetrics): string {
  const recall = test.textToImage.recall['10'];
  const chance = test.textToImage.chance['10'];
  const times = chance > 0 ? `${(recall / chance).toFixed(1)}×` : 'chance 0';
  return `test text→image Recall@10 ${recall.toFixed(2)} against chance ${chance.toFixed(2)} (${times}, ${test.pairs} held-out pairs)`;
}

/** The same judgement of a run's (or model's) test split, named `name` in its statement. */
export function retrievalQuality(name: string, test: RetrievalMetrics | null): MeaningQuality {
  if (!test)
    return {
      recallAt10: null,
      chanceAt10: null,
      testPairs: 0,
      trusted: false,
      statement: `${name} was not measured on held-out pairs, so whether it matches text to images is unknown.`,
    };
  const recall = test.textToImage.recall['10'];
  const chance = test.textToImage.chance['10'];
  const timesChance = chance > 0 ? recall / chance : Number.POSITIVE_INFINITY;
  const z = (recall - chance) / Math.sqrt(Math.max(chance * (1 - chance), 1e-12) / test.pairs);
  const trusted = timesChance >= trustedTimesChance && z >= oneSidedZ;
  const measured = measuredRetrieval(test);
  return {
    recallAt10: recall,
    chanceAt10: chance,
    testPairs: test.pairs,
    trusted,
    statement: trusted
      ? `${name}: ${measured}.`
      : `${name} has not learned to match text to images: ${measured}. Images it finds by meaning are no better than a random pick, so hybrid search uses report words only.`,
  };
}
