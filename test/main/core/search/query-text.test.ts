import { describe, expect, it } from 'vitest';
import { ftsQuery, maximumQueryCharacters, parseQuery } from '../../../../main/core/search/query-text.js';

describe('reading a search query', () => {
  it('keeps finding words, drops common ones, and adds the synonyms of a finding', () => {
    const query = parseQuery('Find chest films with a small right apical pneumothorax');
    expect(query.terms.map((term) => term.text)).toEqual(['small', 'right', 'apical', 'pneumothorax']);
    expect(query.terms.find((term) => term.text === 'pneumothorax')!.phrases).toEqual(
      expect.arrayContaining(['pneumothorax', 'collapsed lung']),
    );
    expect(query.excluded).toEqual([]);
  });

  it('reads multi-word findings as one term and negated ones as terms to exclude', () => {
    const query = parseQuery('enlarged heart without pleural effusion');
    expect(query.terms.map((term) => term.text)).toEqual(['enlarged heart']);
    expect(query.terms[0]!.phrases).toContain('cardiomegaly');
    expect(query.excluded.map((term) => term.text)).toEqual(['pleural', 'effusion']);
    expect(parseQuery('no evidence of pneumothorax').excluded.map((term) => term.text)).toEqual(['pneumothorax']);
    expect(parseQuery('no effusion but a small pneumothorax').terms.map((term) => term.text)).toEqual([
      'small',
      'pneumothorax',
    ]);
    const trailing = parseQuery('effusion ruled out');
    expect(trailing.excluded.map((term) => term.text)).toEqual(['effusion']);
    expect(trailing.terms).toEqual([]);
  });

  it('turns any text into a safe FTS5 query of quoted words, or none', () => {
    const hostile = parseQuery(`pneumothorax" OR 1=1; DROP TABLE reports; -- NEAR(a b) effusion* "unbalanced`);
    const match = ftsQuery(hostile.terms)!;
    expect(match).toMatch(/^("[\p{L}\p{N} ]+")( OR "[\p{L}\p{N} ]+")*$/u);
    expect(match).not.toMatch(/[;*()=-]/);
    expect(ftsQuery(parseQuery('the of and').terms)).toBeNull();
    expect(parseQuery('the of and').notices[0]).toMatch(/only common words/);
    expect(parseQuery('').terms).toEqual([]);
  });

  it('cuts very long text with a notice and reads non-Latin scripts as words', () => {
    const long = parseQuery('effusion '.repeat(2000));
    expect(long.text.length).toBe(maximumQueryCharacters);
    expect(long.notices[0]).toMatch(/cut/);
    expect(parseQuery('气胸 پنوموتوراکس').terms.map((term) => term.text)).toEqual(['气胸', 'پنوموتوراکس']);
  });
});
