import { describe, expect, it } from 'vitest';
import { PretrainRequest, resolvePretrainOptions } from '../../../common/contract/index.js';
import { presetTraining } from '../../../common/encoder-config.js';

describe('resolvePretrainOptions', () => {
  it('takes epochs and learning rate from the chosen preset when the request leaves them out', () => {
    for (const preset of ['cpu-fast', 'balanced', 'paper'] as const) {
      const resolved = resolvePretrainOptions(PretrainRequest.parse({ preset }));
      expect(resolved).toMatchObject(presetTraining[preset]);
    }
    expect(presetTraining['cpu-fast']).not.toEqual(presetTraining.paper);
  });

  it('keeps what the request sets, and treats a flag given as undefined as left out', () => {
    expect(
      resolvePretrainOptions(PretrainRequest.parse({ preset: 'paper', epochs: 3, peakLearningRate: 5e-5 })),
    ).toMatchObject({ epochs: 3, peakLearningRate: 5e-5 });
    expect(
      resolvePretrainOptions(PretrainRequest.parse({ epochs: undefined, peakLearningRate: undefined })).epochs,
    ).toBe(presetTraining['cpu-fast'].epochs);
  });

  it('refuses out-of-range values at the boundary', () => {
    expect(PretrainRequest.safeParse({ epochs: 0 }).success).toBe(false);
    expect(PretrainRequest.safeParse({ peakLearningRate: 2 }).success).toBe(false);
  });
});
