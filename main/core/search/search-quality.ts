import type Database from 'better-sqlite3';
import { SearchRequest, type SearchResponse } from '../../api/search-contract.js';

/**
 * The fixed query set of the search evaluation: paraphrases and negations of the demo generator's planted findings,
 * as a clinician would type them. `present: false` asks for images without the finding.
 */
export const searchQualityQueries: ReadonlyArray<{ text: string; finding: string; present: boolean }> = [
  { text: 'pneumothorax', finding: 'pneumothorax', present: true },
  { text: 'small right apical pneumothorax', finding: 'pneumothorax', present: true },
  { text: 'collapsed lung', finding: 'pneumothorax', present: true },
  { text: 'pleural effusion', finding: 'effusion', present: true },
  { text: 'fluid at the left lung base', finding: 'effusion', present: true },
  { text: 'enlarged heart', finding: 'cardiomegaly', present: true },
  { text: 'cardiomegaly', finding: 'cardiomegaly', present: true },
  { text: 'lung nodule', finding: 'nodule', present: true },
  { text: 'rounded opacity in the upper zone', finding: 'nodule', present: true },
  { text: 'lobar consolidation', finding: 'consolidation', present: true },
  { text: 'pneumonia', finding: 'consolidation', present: true },
  { text: 'no pneumothorax', finding: 'pneumothorax', present: false },
  { text: 'chest film without effusion', finding: 'effusion', present: false },
  { text: 'normal heart size, no cardiomegaly', finding: 'cardiomegaly', present: false },
];

export interface RankingScores {
  recallAt10: number;
  ndcgAt10: number;
}

/**
 * Recall@10 as the share of the relevant images the first ten could hold (|relevant ∩ top 10| / min(10, |relevant|)),
 * and nDCG@10 with binary gains; both 0 without relevant images.
 */
export function rankingScores(ranked: readonly number[], relevant: ReadonlySet<number>): RankingScores {
  const top = ranked.slice(0, 10);
  const ideal = Math.min(10, relevant.size);
  if (ideal === 0) return { recallAt10: 0, ndcgAt10: 0 };
  const hits = top.filter((id) => relevant.has(id)).length;
  const gain = (positions: number) => Array.from({ length: positions }, (_, index) => 1 / Math.log2(index + 2));
  const dcg = top.reduce((sum, id, index) => sum + (relevant.has(id) ? 1 / Math.log2(index + 2) : 0), 0);
  return { recallAt10: hits / ideal, ndcgAt10: dcg / gain(ideal).reduce((sum, value) => sum + value, 0) };
}

/** Images whose study carries the finding (or not) by the library's expert labels (manifest, manual). */
export function relevantImages(database: Database.Database, finding: string, present: boolean): Set<number> {
  const rows = database
    .prepare(
      `SELECT images.id AS id FROM images JOIN series ON series.id = images.series_id
       JOIN labels ON labels.study_id = series.study_id AND labels.task = ? AND labels.source <> 'report-rules'
       WHERE (labels.value IN ('1', 'yes', 'true', 'positive')) = ?`,
    )
    .all(finding, present ? 1 : 0) as Array<{ id: number }>;
  return new Set(rows.map((row) => row.id));
}

export interface ModeQuality {
  mode: SearchRequest['mode'];
  recallAt10: number;
  ndcgAt10: number;
  /** Per query, in the order of `searchQualityQueries`. */
  queries: RankingScores[];
}

/** Runs the query set in every mode and averages the scores. */
export async function evaluateSearchQuality(
  database: Database.Database,
  search: (request: SearchRequest) => Promise<SearchResponse>,
  base: Partial<SearchRequest> = {},
): Promise<ModeQuality[]> {
  const modes: Array<SearchRequest['mode']> = ['semantic', 'lexical', 'hybrid'];
  const qualities: ModeQuality[] = [];
  for (const mode of modes) {
    const queries: RankingScores[] = [];
    for (const query of searchQualityQueries) {
      // Through the contract, so every field left out takes the API's own default (the hybrid weight included).
      const response = await search(SearchRequest.parse({ k: 10, ...base, text: query.text, mode }));
      queries.push(
        rankingScores(
          response.results.map((result) => result.imageId),
          relevantImages(database, query.finding, query.present),
        ),
      );
    }
    const mean = (key: keyof RankingScores) => queries.reduce((sum, scores) => sum + scores[key], 0) / queries.length;
    qualities.push({ mode, recallAt10: mean('recallAt10'), ndcgAt10: mean('ndcgAt10'), queries });
  }
  return qualities;
}
