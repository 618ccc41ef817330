import { describe, expect, it } from 'vitest';
import { chestRadiographRules, ReportLabelRules } from '../../../../common/contract/report-label-rules.js';
import {
  ftsQuery,
  maximumQueryCharacters,
  parseQuery,
  semanticQueryTexts,
} from '../../../../main/core/search/query-text.js';

describe('reading a search query', () => {
  it('keeps finding words, drops common ones, and adds the synonyms of a finding', () => {
    const query = parseQuery('Find chest films with a small right apical pneumothorax', chestRadiographRules);
    expect(query.terms.map((term) => term.text)).toEqual(['small', 'right', 'apical', 'pneumothorax']);
    expect(query.terms.find((term) => term.text === 'pneumothorax')!.phrases).toEqual(
      expect.arrayContaining(['pneumothorax', 'collapsed lung']),
    );
    expect(query.excluded).toEqual([]);
  });

  it('reads multi-word findings as one term and negated ones as terms to exclude', () => {
    const query = parseQuery('enlarged heart without pleural effusion', chestRadiographRules);
    expect(query.terms.map((term) => term.text)).toEqual(['enlarged heart']);
    expect(query.terms[0]!.phrases).toContain('cardiomegaly');
    expect(query.excluded.map((term) => term.text)).toEqual(['pleural', 'effusion']);
    expect(parseQuery('no evidence of pneumothorax', chestRadiographRules).excluded.map((term) => term.text)).toEqual([
      'pneumothorax',
    ]);
    expect(
      parseQuery('no effusion but a small pneumothorax', chestRadiographRules).terms.map((term) => term.text),
    ).toEqual(['small', 'pneumothorax']);
    const trailing = parseQuery('effusion ruled out', chestRadiographRules);
    expect(trailing.excluded.map((term) => term.text)).toEqual(['effusion']);
    expect(trailing.terms).toEqual([]);
  });

  it('carries synonymy over: a search synonym of a finding finds every wording of that finding', () => {
    const phrasesOf = (query: string, rules: ReportLabelRules = chestRadiographRules) =>
      parseQuery(query, rules).terms[0]!.phrases;
    expect(phrasesOf('big heart')).toEqual(expect.arrayContaining(['cardiomegaly', 'enlarged cardiac silhouette']));
    expect(phrasesOf('infiltrate')).toEqual(expect.arrayContaining(['airspace shadowing', 'pneumonia']));
    // Two groups bridged by a third that shares a phrase with each.
    const bridged = ReportLabelRules.parse({
      findings: [{ task: 'mass', terms: ['mass', 'tumour'] }],
      negationCues: ['no'],
      searchSynonyms: [
        ['growth', 'neoplasm'],
        ['tumour', 'growth'],
      ],
    });
    expect(phrasesOf('neoplasm', bridged)).toEqual(expect.arrayContaining(['mass', 'tumour', 'growth']));
    expect(phrasesOf('opacity', bridged)).toEqual(['opacity']);
  });

  it('gives the semantic side the query as written and reworded by each synonym of its terms, excluded ones kept', () => {
    expect(semanticQueryTexts(parseQuery('Small PTX on the left', chestRadiographRules))).toEqual([
      'Small PTX on the left',
      'Small pneumothorax on the left',
      'Small collapsed lung on the left',
    ]);
    // A plural finds its singular's group; a multi-word term is replaced whole; at most eight texts.
    expect(semanticQueryTexts(parseQuery('effusions', chestRadiographRules))).toEqual([
      'effusions',
      'effusion',
      'blunting of the costophrenic angle',
      'pleural fluid',
      'fluid',
    ]);
    const heart = semanticQueryTexts(parseQuery('enlarged  heart without effusion', chestRadiographRules));
    expect(heart[0]).toBe('enlarged heart without effusion');
    expect(heart).toContain('cardiomegaly without effusion');
    expect(heart.every((text) => text.endsWith('without effusion'))).toBe(true);
    expect(heart.length).toBeLessThanOrEqual(8);
    expect(semanticQueryTexts(parseQuery('opacity in the base', chestRadiographRules))).toEqual([
      'opacity in the base',
    ]);
  });

  it('turns any text into a safe FTS5 query of quoted words, or none', () => {
    const hostile = parseQuery(
      `pneumothorax" OR 1=1; DROP TABLE reports; -- NEAR(a b) effusion* "unbalanced`,
      chestRadiographRules,
    );
    const match = ftsQuery(hostile.terms)!;
    expect(match).toMatch(/^("[\p{L}\p{N} ]+")( OR "[\p{L}\p{N} ]+")*$/u);
    expect(match).not.toMatch(/[;*()=-]/);
    expect(ftsQuery(parseQuery('the of and', chestRadiographRules).terms)).toBeNull();
    expect(parseQuery('the of and', chestRadiographRules).notices[0]).toMatch(/only common words/);
    expect(parseQuery('', chestRadiographRules).terms).toEqual([]);
  });

  it('cuts very long text with a notice and reads non-Latin scripts as words', () => {
    const long = parseQuery('effusion '.repeat(2000), chestRadiographRules);
    expect(long.text.length).toBe(maximumQueryCharacters);
    expect(long.notices[0]).toMatch(/cut/);
    expect(parseQuery('气胸 پنوموتوراکس', chestRadiographRules).terms.map((term) => term.text)).toEqual([
      '气胸',
      'پنوموتوراکس',
    ]);
  });

  it('reads by the rules it is given: their findings, synonyms and negation cues', () => {
    const rules = ReportLabelRules.parse({
      findings: [{ task: 'fracture', terms: ['fracture', 'broken bone'] }],
      negationCues: ['sans'],
      trailingNegationCues: ['is absent'],
      searchSynonyms: [['fracture', 'break']],
    });
    const query = parseQuery('broken bone sans effusion', rules);
    expect(query.terms.map((term) => term.text)).toEqual(['broken bone']);
    expect(query.terms[0]!.phrases).toEqual(['broken bone', 'fracture', 'break']);
    expect(parseQuery('fracture', rules).terms[0]!.phrases).toEqual(['fracture', 'broken bone', 'break']);
    expect(query.excluded.map((term) => term.text)).toEqual(['effusion']);
    expect(parseQuery('break is absent', rules).excluded.map((term) => term.text)).toEqual(['break']);
    // "no" is a cue of the built-in rules only: here it is a word like any other.
    expect(parseQuery('no fracture', rules).excluded).toEqual([]);
  });

  it('groups rule phrases whatever their case', () => {
    const rules = ReportLabelRules.parse({
      findings: [{ task: 'fracture', terms: ['Fracture', 'Broken Bone'] }],
      negationCues: ['no'],
    });
    expect(parseQuery('broken bone', rules).terms[0]!.phrases).toEqual(['broken bone', 'fracture']);
  });

  it('reads words alone when no finding phrase has two words', () => {
    const rules = ReportLabelRules.parse({ findings: [{ task: 'mass', terms: ['mass'] }], negationCues: ['no'] });
    expect(parseQuery('left mass', rules).terms.map((term) => term.text)).toEqual(['left', 'mass']);
  });
});
