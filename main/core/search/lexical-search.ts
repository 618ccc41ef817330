import type Database from 'better-sqlite3';
import type { ReportLabelRules } from '../../../common/contract/report-label-rules.js';
import {
  mentions,
  phrasePattern,
  reportLabeller,
  type NegationPatterns,
  type WeakLabel,
} from '../labels/report-label-rules.js';
import { ftsQuery, type ParsedQuery, type QueryTerm } from './query-text.js';

/**
 * Reports FTS5 hands over for the negation check, best BM25 first. BM25 does not see negation and favours short
 * reports, so the cap is wide: short normal reports that only rule a finding out must not crowd out the positives.
 */
const candidateReports = 20_000;
/** Characters of report shown before the first match and after it (twice as many after). */
const snippetRadius = 40;

export interface LexicalHit {
  reportId: number;
  studyId: number;
  score: number;
  /** Share of the query's term weight (IDF) the report affirms (1 for an absence query it answers). */
  coverage: number;
  matchedTerms: string[];
  snippet: string;
  highlights: Array<[number, number]>;
}

/** A term's matcher, compiled once per query rather than once per report read. */
const patterns = new WeakMap<QueryTerm, RegExp>();
function patternOf(term: QueryTerm): RegExp {
  let pattern = patterns.get(term);
  if (!pattern) patterns.set(term, (pattern = phrasePattern(term.phrases, true)));
  return pattern;
}

function mentionsOf(
  text: string,
  term: QueryTerm,
  negation: NegationPatterns,
  negated: boolean,
): Array<[number, number]> {
  return mentions(text, patternOf(term), negation)
    .filter((mention) => mention.negated === negated)
    .map((mention): [number, number] => [mention.start, mention.end]);
}

const affirmed = (text: string, term: QueryTerm, negation: NegationPatterns) => mentionsOf(text, term, negation, false);

/** Whether a report affirms any term the query excludes, read with the query's negation. */
export function affirmsExcluded(text: string, query: ParsedQuery): boolean {
  return query.excluded.some((term) => affirmed(text, term, query.negation).length > 0);
}

/**
 * A test of whether a report rules out what the query asks for, read as weak labels read it. A query term that names a
 * finding of the label rules (its phrases share one with the finding's terms: "big heart" names cardiomegaly) is ruled
 * out where the rules label the report negative for that finding: a report that does not affirm it, as "Costophrenic
 * angles are clear." affirms no effusion. Any other term is ruled out by a mention in negated form only.
 */
export function queryDenial(query: ParsedQuery, rules: ReportLabelRules): (text: string) => boolean {
  const labeller = reportLabeller(rules);
  const terms = query.terms.map((term) => {
    const phrases = new Set(term.phrases.map((phrase) => phrase.toLowerCase()));
    return {
      term,
      findings: rules.findings
        .filter((finding) => finding.terms.some((phrase) => phrases.has(phrase.toLowerCase())))
        .map((finding) => finding.task),
    };
  });
  return (text) => {
    let labels: Record<string, WeakLabel> | undefined;
    return terms.some(({ term, findings }) => {
      if (findings.length === 0)
        return (
          mentionsOf(text, term, query.negation, true).length > 0 && affirmed(text, term, query.negation).length === 0
        );
      labels ??= labeller(text);
      return findings.every((task) => labels![task] === 'negative');
    });
  };
}

/** An excerpt around the first highlighted match, with the highlight ranges moved into it. */
function snippetOf(
  text: string,
  ranges: Array<[number, number]>,
): { snippet: string; highlights: Array<[number, number]> } {
  if (ranges.length === 0) return { snippet: text.slice(0, 2 * snippetRadius), highlights: [] };
  const sorted = [...ranges].sort((left, right) => left[0] - right[0]);
  const start = Math.max(0, sorted[0]![0] - snippetRadius);
  const end = Math.min(text.length, sorted[0]![1] + 2 * snippetRadius);
  const prefix = start > 0 ? '…' : '';
  const highlights = sorted
    .filter(([from, to]) => from >= start && to <= end)
    .map(([from, to]): [number, number] => [from - start + prefix.length, to - start + prefix.length]);
  return { snippet: `${prefix}${text.slice(start, end)}${end < text.length ? '…' : ''}`, highlights };
}

/**
 * Reports ranked by BM25 over FTS5, then read for negation: a term counts only where the report affirms it ("No
 * pneumothorax" is not a pneumothorax hit), a report affirming a term the query excludes is left out, and the BM25
 * score is scaled by the report's coverage: the share of the query's term weight (IDF) it affirms. A query that only
 * names what must be absent ("no
 * pneumothorax") finds the reports that say so.
 */
export function lexicalSearch(database: Database.Database, query: ParsedQuery, limit: number): LexicalHit[] {
  if (query.terms.length === 0) return absenceSearch(database, query, limit);
  const match = ftsQuery(query.terms);
  if (!match) return [];
  const reports = (database.prepare('SELECT count(*) AS count FROM reports').get() as { count: number }).count;
  const read = candidates(database, match)
    .filter((candidate) => !affirmsExcluded(candidate.text, query))
    .map((candidate) => ({
      candidate,
      found: query.terms.map((term) => affirmed(candidate.text, term, query.negation)),
    }));
  // A term's weight is its inverse frequency among the reports that affirm it (ln(1 + N / df)): a finding most
  // reports rule out ("No pneumothorax") still weighs as the rare finding it is.
  const weights = query.terms.map((_, index) =>
    Math.log(1 + reports / Math.max(1, read.filter((entry) => entry.found[index]!.length > 0).length)),
  );
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const hits: LexicalHit[] = [];
  for (const { candidate, found } of read) {
    const matched = query.terms.flatMap((_, index) => (found[index]!.length > 0 ? [index] : []));
    if (matched.length === 0) continue;
    const coverage = matched.reduce((sum, index) => sum + weights[index]!, 0) / totalWeight;
    hits.push({
      reportId: candidate.reportId,
      studyId: candidate.studyId,
      score: -candidate.rank * coverage,
      coverage,
      matchedTerms: matched.map((index) => query.terms[index]!.text),
      ...snippetOf(
        candidate.text,
        matched.flatMap((index) => found[index]!),
      ),
    });
  }
  return hits.sort((left, right) => right.score - left.score || left.reportId - right.reportId).slice(0, limit);
}

interface Candidate {
  reportId: number;
  studyId: number;
  text: string;
  rank: number;
}

function candidates(database: Database.Database, match: string): Candidate[] {
  return database
    .prepare(
      `SELECT reports.id AS reportId, reports.study_id AS studyId, reports.text AS text, bm25(reports_fts) AS rank
       FROM reports_fts JOIN reports ON reports.id = reports_fts.rowid
       WHERE reports_fts MATCH ? AND reports.study_id IS NOT NULL ORDER BY rank LIMIT ?`,
    )
    .all(match, candidateReports) as Candidate[];
}

/** Reports that name every excluded term and negate each mention of it. */
function absenceSearch(database: Database.Database, query: ParsedQuery, limit: number): LexicalHit[] {
  const match = ftsQuery(query.excluded);
  if (!match) return [];
  const hits: LexicalHit[] = [];
  for (const candidate of candidates(database, match)) {
    const negated = query.excluded.map((term) => mentionsOf(candidate.text, term, query.negation, true));
    if (negated.some((ranges) => ranges.length === 0) || affirmsExcluded(candidate.text, query)) continue;
    hits.push({
      reportId: candidate.reportId,
      studyId: candidate.studyId,
      score: -candidate.rank,
      coverage: 1,
      matchedTerms: query.excluded.map((term) => `no ${term.text}`),
      ...snippetOf(candidate.text, negated.flat()),
    });
  }
  return hits.sort((left, right) => right.score - left.score || left.reportId - right.reportId).slice(0, limit);
}
