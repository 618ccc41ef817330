import { describe, expect, it } from 'vitest';
import { PretrainingBatches } from '../../../ml/data/pretraining-batches.js';
import { EpochBatches } from '../../../ml/finetune/stage-context.js';
import { trainBpeTokenizer } from '../../../ml/tokenizer/bpe-tokenizer.js';
import { multiImageStudies } from '../../support/multi-image-studies.js';
import { tinyEncoder } from '../../support/tiny-training.js';

describe("fine-tuning's batches (TD-Calib, the supervised stage)", () => {
  const items = multiImageStudies();
  const all = items.map((_, index) => index);
  const batches = new PretrainingBatches(
    items,
    trainBpeTokenizer(
      items.map((item) => item.reportText),
      50,
    ),
    tinyEncoder,
    'seed',
  );

  it('take one image a study each epoch: a CT series is one example and a batch never holds a study twice', () => {
    const epochs = new EpochBatches(batches, all, 8, 'one');
    expect(epochs.stepsPerEpoch).toBe(5);
    for (let epoch = 0; epoch < 3; epoch++) {
      const studies: number[] = [];
      for (let step = epoch * 5; step < (epoch + 1) * 5; step++) {
        const batch = epochs.at(step).map((index) => items[index]!.studyId);
        expect(batch).toHaveLength(8);
        expect(new Set(batch).size).toBe(8);
        studies.push(...batch);
      }
      // 40 of the 41 studies (the remainder of an epoch is dropped), none twice.
      expect(new Set(studies).size).toBe(40);
    }
  });

  it('take every image under `every`, as runs recorded before studies were the unit', () => {
    const epochs = new EpochBatches(batches, all, 8, 'every');
    expect(epochs.stepsPerEpoch).toBe(Math.floor(items.length / 8));
    const seen = new Set(Array.from({ length: epochs.stepsPerEpoch }, (_, step) => epochs.at(step)).flat());
    expect(seen.size).toBe(epochs.stepsPerEpoch * 8);
  });
});
