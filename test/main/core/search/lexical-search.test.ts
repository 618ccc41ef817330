import { describe, expect, it } from 'vitest';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import { queryDenial } from '../../../../main/core/search/lexical-search.js';
import { parseQuery } from '../../../../main/core/search/query-text.js';

const denies = (query: string, report: string) =>
  queryDenial(parseQuery(query, chestRadiographRules), chestRadiographRules)(report);

describe('whether a report rules out what a query asks for', () => {
  it('reads a finding the query names as weak labels do: a report that does not affirm it rules it out', () => {
    expect(denies('pleural effusion', 'No pleural effusion. Heart size is normal.')).toBe(true);
    expect(denies('pleural effusion', 'Costophrenic angles are clear. Consolidation in the left base.')).toBe(true);
    expect(denies('pleural effusion', 'Small left pleural effusion.')).toBe(false);
    expect(denies('pleural effusion', 'Blunting of the costophrenic angle on the left.')).toBe(false);
  });

  it('knows a finding by its search synonyms: "big heart" is cardiomegaly, however the report words it', () => {
    expect(denies('big heart', 'Enlarged cardiac silhouette. No effusion.')).toBe(false);
    expect(denies('big heart', 'Normal cardiac size. Airspace shadowing in the left base.')).toBe(true);
  });

  it('rules out a query of several findings when any one is absent', () => {
    expect(denies('nodule and an enlarged heart', 'The heart is enlarged. 6 mm nodule in the right upper lobe.')).toBe(
      false,
    );
    expect(denies('nodule and an enlarged heart', 'The heart is enlarged. No nodules are seen.')).toBe(true);
  });

  it('rules out a word that names no finding only where the report negates it and never affirms it', () => {
    expect(denies('fracture', 'No fracture. Lungs are clear.')).toBe(true);
    expect(denies('fracture', 'Bony structures are unremarkable.')).toBe(false);
    expect(denies('fracture', 'No pneumothorax. Old rib fracture.')).toBe(false);
  });
});
