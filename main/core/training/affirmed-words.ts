import type Database from 'better-sqlite3';
import type { ReportLabelRules } from '../../../common/contract/report-label-rules.js';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';
import { libraryLabelRules } from '../labels/library-label-rules.js';
import { mentions, negationPatterns } from '../labels/report-label-rules.js';
import { buildPretrainingDataset } from './pretraining-dataset-builder.js';

/** A word of any script, with inner hyphens and apostrophes ("well-defined", "patient's"). */
const wordPattern = /(?<![\p{L}\p{N}])\p{L}[\p{L}'’-]*(?![\p{L}\p{N}])/gu;

/**
 * The words a report asserts: every word outside the reach of a negation, by the library's own negation cues and scope
 * (the rules weak labels use), lowercased, each once. "No pneumothorax. Small left effusion." gives small, left,
 * effusion; the negated "pneumothorax" is left out, so a word-prediction target never says a negated finding is
 * there. What is too common or too rare to predict is decided later, from the training split (report-words.ts).
 */
export function affirmedReportWords(
  rules: Pick<ReportLabelRules, 'negationCues' | 'trailingNegationCues' | 'scopeBreaks' | 'scopeWords'>,
): (text: string) => string[] {
  const negation = negationPatterns(rules);
  return (text) => {
    const words = new Set<string>();
    for (const mention of mentions(text, wordPattern, negation))
      if (!mention.negated) words.add(text.slice(mention.start, mention.end).toLowerCase());
    return [...words].sort();
  };
}

/**
 * The items with the words their reports assert, for a run that predicts them: the negation rules run over every report
 * of the library, so only such a run pays for it. A report is read once, however many images its study has.
 */
export function withAffirmedWords(
  items: readonly PretrainingItem[],
  rules: Parameters<typeof affirmedReportWords>[0],
): PretrainingItem[] {
  const affirmed = affirmedReportWords(rules);
  const wordsOfReport = new Map<number, string[]>();
  return items.map((item) => {
    if (item.reportId === null || !item.reportText) return item;
    let reportWords = wordsOfReport.get(item.reportId);
    if (!reportWords) wordsOfReport.set(item.reportId, (reportWords = affirmed(item.reportText)));
    return { ...item, reportWords };
  });
}

/**
 * The library's pretraining items for a run (on the desktop or in a training bundle): with the words their reports
 * assert, by the library's own negation rules, where the run predicts them.
 */
export function pretrainingItemsForRun(
  database: Database.Database,
  libraryPath: string,
  wordPredictionWeight: number,
): PretrainingItem[] {
  const { items } = buildPretrainingDataset(database, libraryPath);
  return wordPredictionWeight > 0 ? withAffirmedWords(items, libraryLabelRules(database)) : items;
}
