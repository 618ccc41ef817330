import type { ModelRecord } from '../main/api/contract.js';
import type { MeaningQuality } from '../main/api/search-contract.js';

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
  const test = model.metrics.test;
  if (!test)
    return {
      recallAt10: null,
      chanceAt10: null,
      testPairs: 0,
      trusted: false,
      statement: `${model.name} was not measured on held-out pairs, so whether it matches text to images is unknown.`,
    };
  const recall = test.textToImage.recall['10'];
  const chance = test.textToImage.chance['10'];
  const timesChance = chance > 0 ? recall / chance : Number.POSITIVE_INFINITY;
  const z = (recall - chance) / Math.sqrt(Math.max(chance * (1 - chance), 1e-12) / test.pairs);
  const trusted = timesChance >= trustedTimesChance && z >= oneSidedZ;
  const measured = `test text→image Recall@10 ${recall.toFixed(2)} against chance ${chance.toFixed(2)} (${timesChance.toFixed(1)}×, ${test.pairs} held-out pairs)`;
  return {
    recallAt10: recall,
    chanceAt10: chance,
    testPairs: test.pairs,
    trusted,
    statement: trusted
      ? `${model.name}: ${measured}.`
      : `${model.name} has not learned to match text to images: ${measured}. Images it finds by meaning are no better than a random pick, so hybrid search uses report words only.`,
  };
}
