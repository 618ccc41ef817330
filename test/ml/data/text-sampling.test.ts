import { describe, expect, it } from 'vitest';
import { reportSentences, sampleReportText, textSamplingAtStep } from '../../../ml/data/text-sampling.js';
import {
  defaultTextSampling,
  noTextSampling,
  TextSamplingSettings,
} from '../../../common/contract/text-sampling-settings.js';
import { PretrainOptions, PretrainRequest, resolvePretrainOptions } from '../../../common/contract/training.js';
import { SeededRandom } from '../../../common/seeded-random.js';

const report =
  'FINDINGS: Moderate right pleural effusion with basal atelectasis. No pneumothorax.\nIMPRESSION: Right effusion.';

describe('sampling what a training step reads of a report', () => {
  it('splits a report into sentences without their section headers', () => {
    expect(reportSentences(report)).toEqual([
      'Moderate right pleural effusion with basal atelectasis.',
      'No pneumothorax.',
      'Right effusion.',
    ]);
    expect(reportSentences('Handwritten digit: seven.')).toEqual(['seven.']);
  });

  it('reads the whole report, a sentence, or a short span in the set proportions, and never cuts off a negation', () => {
    const random = new SeededRandom('text');
    const seen = { whole: 0, sentence: 0, span: 0 };
    const sentences = new Set(reportSentences(report));
    for (let draw = 0; draw < 4000; draw++) {
      const text = sampleReportText(report, defaultTextSampling, random);
      if (text === report) seen.whole += 1;
      else if (sentences.has(text)) seen.sentence += 1;
      else {
        seen.span += 1;
        const words = text.split(' ');
        expect(words.length).toBeGreaterThanOrEqual(2);
        expect(words.length).toBeLessThanOrEqual(4);
        // Spans come from sentences without a negation, word for word.
        expect(
          ['Moderate right pleural effusion with basal atelectasis', 'Right effusion'].some((sentence) =>
            sentence.includes(text),
          ),
        ).toBe(true);
      }
    }
    expect(seen.whole / 4000).toBeCloseTo(0.5, 1);
    // "No pneumothorax." is read whole when a span was drawn, so sentences come out a little above 0.3.
    expect(seen.sentence / 4000).toBeGreaterThan(0.3);
    expect(seen.span / 4000).toBeGreaterThan(0.1);
  });

  it('leaves reports whole when sampling is off, and is the same for the same seed', () => {
    const random = new SeededRandom('off');
    for (let draw = 0; draw < 100; draw++) expect(sampleReportText(report, noTextSampling, random)).toBe(report);
    const draws = (seed: string) => {
      const seeded = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => sampleReportText(report, defaultTextSampling, seeded));
    };
    expect(draws('a')).toEqual(draws('a'));
  });

  it('reads whole reports for the first share of the run, then samples; runs recorded without it sample throughout', () => {
    const readsWhole = (settings: TextSamplingSettings, totalSteps: number) =>
      Array.from({ length: totalSteps }, (_, step) => textSamplingAtStep(settings, step, totalSteps) === null);
    const firstSampled = (settings: TextSamplingSettings, totalSteps: number) =>
      readsWhole(settings, totalSteps).indexOf(false);
    expect(firstSampled(defaultTextSampling, 2700)).toBe(810);
    expect(
      readsWhole(defaultTextSampling, 2700)
        .slice(810)
        .every((whole) => !whole),
    ).toBe(true);
    expect(textSamplingAtStep(defaultTextSampling, 900, 2700)).toEqual(defaultTextSampling);
    // Half a step rounds up, as the scale-out trainer rounds it.
    expect(firstSampled({ ...defaultTextSampling, wholeReportsFirst: 0.5 }, 45)).toBe(23);
    expect(readsWhole(noTextSampling, 50).every((whole) => whole)).toBe(true);
    expect(readsWhole({ ...defaultTextSampling, wholeReportsFirst: 1 }, 50).every((whole) => whole)).toBe(true);

    const recorded = { sentenceProbability: 0.3, phraseProbability: 0.2 };
    expect(TextSamplingSettings.parse(recorded).wholeReportsFirst).toBe(0);
    expect(firstSampled(TextSamplingSettings.parse(recorded), 100)).toBe(0);
    expect(PretrainOptions.parse({ preset: 'cpu-fast', epochs: 1, peakLearningRate: 1e-3 }).textSampling).toEqual(
      noTextSampling,
    );
    expect(resolvePretrainOptions(PretrainRequest.parse({ preset: 'cpu-fast' })).textSampling).toEqual(
      defaultTextSampling,
    );
  });
});
