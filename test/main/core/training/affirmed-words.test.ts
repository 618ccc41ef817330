import { describe, expect, it } from 'vitest';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import { affirmedReportWords } from '../../../../main/core/training/affirmed-words.js';

describe('the words a report asserts', () => {
  const affirmed = affirmedReportWords(chestRadiographRules);

  it('leaves out what a negation reaches, before or after the word, within its sentence', () => {
    const words = affirmed('No pneumothorax. Small left pleural effusion.\nIMPRESSION: Effusion; nodule is not seen.');
    expect(words).toContain('effusion');
    expect(words).toContain('left');
    expect(words).toContain('small');
    expect(words).toContain('impression');
    expect(words).not.toContain('pneumothorax');
    expect(words).not.toContain('nodule');
  });

  it('ends a negation at a scope break, and counts each word once, lowercased', () => {
    const words = affirmed('No pneumothorax but a small left effusion. Effusion EFFUSION.');
    expect(words).toEqual(expect.arrayContaining(['a', 'small', 'left', 'effusion']));
    expect(words).not.toContain('pneumothorax');
    expect(words.filter((word) => word === 'effusion')).toHaveLength(1);
    expect(words.every((word) => word === word.toLowerCase())).toBe(true);
  });

  it('reads words of any script and keeps hyphenated ones whole', () => {
    expect(affirmed('Épanchement pleural droit, well-defined.')).toEqual([
      'droit',
      'pleural',
      'well-defined',
      'épanchement',
    ]);
    expect(affirmed('')).toEqual([]);
  });
});
