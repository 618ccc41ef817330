import { describe, expect, it } from 'vitest';
import { reportSentences, sampleReportText } from '../../../ml/data/text-sampling.js';
import { defaultTextSampling, noTextSampling } from '../../../common/contract/text-sampling-settings.js';
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
});
