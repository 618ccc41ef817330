import { mentions, negationPatterns, phrasePattern, type NegationPatterns } from '../labels/report-label-rules.js';
import type { ReportLabelRules } from '../../../common/contract/report-label-rules.js';

/** Longest query read; longer text (a pasted report is far shorter) is cut, with a notice. */
export const maximumQueryCharacters = 2000;

/** Words that carry no finding: the FTS side ignores them, the semantic side still reads the whole text. */
const stopWords = new Set(
  'a an and any are as at be by can chest cxr with do film films find for from has have image images in is it its me of on or please radiograph radiographs scan scans show showing shows some that the their there these this those to was were which x xray ray study studies patient patients'.split(
    ' ',
  ),
);

/** The words of a phrase that can carry a finding: lower case, stop-words left out. */
export function contentWords(phrase: string): string[] {
  return words(phrase).filter((word) => !stopWords.has(word));
}

/** More terms than this (a long pasted report) are not all searched by word; meaning still reads the whole text. */
const maximumTerms = 32;

export interface QueryTerm {
  /** What the user wrote (a word or a finding phrase). */
  text: string;
  /** The phrases searched for it: itself and its synonyms. */
  phrases: string[];
}

/**
 * What a query is read with, from the library's label rules (the ones `labels.fromReports` labels by): the findings'
 * terms and search synonyms as groups of one meaning, and the rules' negation, used on the query and on reports alike.
 */
interface Vocabulary {
  synonymGroups: string[][];
  /** Null when no phrase has two words (an empty alternation would match everywhere). */
  multiWordPattern: RegExp | null;
  negation: NegationPatterns;
  /** The words of negation cues and scope breaks ("ruled out", "but"): they steer the reading, not searched for. */
  negationWords: Set<string>;
}

const vocabularies = new WeakMap<ReportLabelRules, Vocabulary>();

/**
 * Groups that share a phrase, merged: synonymy carries over, so "big heart" (a search synonym of "cardiomegaly") is
 * searched as every wording of the cardiomegaly finding too ("enlarged cardiac silhouette"). Phrases keep the order
 * they first appear in, finding terms first.
 */
function mergedGroups(groups: readonly string[][]): string[][] {
  const merged: Array<Set<string>> = [];
  for (const group of groups) {
    const overlapping = merged.filter((candidate) => group.some((phrase) => candidate.has(phrase)));
    const into = overlapping[0] ?? new Set<string>();
    if (overlapping.length === 0) merged.push(into);
    for (const other of overlapping.slice(1)) {
      for (const phrase of other) into.add(phrase);
      merged.splice(merged.indexOf(other), 1);
    }
    for (const phrase of group) into.add(phrase);
  }
  return merged.map((group) => [...group]);
}

function vocabularyOf(rules: ReportLabelRules): Vocabulary {
  let vocabulary = vocabularies.get(rules);
  if (!vocabulary) {
    // Queries are read in lower case, so the rules' phrases are too ("Pneumothorax" in a rule file still groups).
    const synonymGroups = mergedGroups(
      [...rules.findings.map((rule) => rule.terms), ...rules.searchSynonyms].map((group) =>
        group.map((phrase) => phrase.toLowerCase()),
      ),
    );
    const multiWord = synonymGroups.flat().filter((phrase) => /\s/.test(phrase));
    vocabulary = {
      synonymGroups,
      multiWordPattern: multiWord.length > 0 ? phrasePattern(multiWord, true) : null,
      negation: negationPatterns(rules),
      negationWords: new Set(
        words([...rules.negationCues, ...rules.trailingNegationCues, ...rules.scopeBreaks].join(' ')),
      ),
    };
    vocabularies.set(rules, vocabulary);
  }
  return vocabulary;
}

export interface ParsedQuery {
  text: string;
  /** The negation of the rules the query was read with: reports are read with it too. */
  negation: NegationPatterns;
  /** Terms the reports should mention (and not negate). */
  terms: QueryTerm[];
  /** Terms the query asks to be absent ("without effusion"): reports that affirm one are left out. */
  excluded: QueryTerm[];
  notices: string[];
}

function words(text: string): string[] {
  return [...text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)].map((match) => match[0]);
}

function termFor(phrase: string, { synonymGroups }: Vocabulary): QueryTerm {
  const singular = (text: string) => text.replace(/s$/, '');
  const groups = synonymGroups.filter((candidates) =>
    candidates.some((candidate) => singular(candidate) === singular(phrase)),
  );
  return { text: phrase, phrases: [...new Set([phrase, ...groups.flat()])] };
}

/**
 * Reads a query: multi-word finding phrases first ("enlarged heart"), then the remaining content words; a word in the
 * scope of a negation cue of the query ("no", "without", "not") becomes an excluded term. Findings, synonyms and
 * negation are the library's label rules'.
 */
export function parseQuery(raw: string, rules: ReportLabelRules): ParsedQuery {
  const vocabulary = vocabularyOf(rules);
  const notices: string[] = [];
  let text = raw.replace(/\s+/g, ' ').trim();
  if (text.length > maximumQueryCharacters) {
    text = text.slice(0, maximumQueryCharacters);
    notices.push(`The query was cut to its first ${maximumQueryCharacters} characters.`);
  }
  const negatedSpans = mentions(text, /[\p{L}\p{N}]+/gu, vocabulary.negation).filter((mention) => mention.negated);
  const isNegated = (start: number) => negatedSpans.some((span) => span.start <= start && start < span.end);
  const terms: QueryTerm[] = [];
  const excluded: QueryTerm[] = [];
  const claimed: Array<[number, number]> = [];
  const add = (phrase: string, start: number) => {
    const list = isNegated(start) ? excluded : terms;
    if (!list.some((term) => term.text === phrase)) list.push(termFor(phrase, vocabulary));
  };
  for (const match of vocabulary.multiWordPattern ? text.matchAll(vocabulary.multiWordPattern) : []) {
    claimed.push([match.index, match.index + match[0].length]);
    add(match[0].toLowerCase().replace(/\s+/g, ' '), match.index);
  }
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0].toLowerCase();
    if (stopWords.has(word) || claimed.some(([start, end]) => match.index >= start && match.index < end)) continue;
    if (vocabulary.negationWords.has(word) || word === 'evidence') continue;
    add(word, match.index);
  }
  if (words(text).length > 0 && terms.length === 0 && excluded.length === 0)
    notices.push('The query has only common words: it names nothing to search for, by report words or by meaning.');
  if (terms.length > maximumTerms)
    notices.push(
      `Reports are searched for the first ${maximumTerms} of the query's ${terms.length} words; meaning reads all of it.`,
    );
  return {
    text,
    negation: vocabulary.negation,
    terms: terms.slice(0, maximumTerms),
    excluded: excluded.slice(0, maximumTerms),
    notices,
  };
}

/** The most texts the semantic side encodes for one query: the query as written and its rewordings. */
const maximumSemanticTexts = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What the semantic side encodes for a query, to average: the query as written, and the query with one of its terms
 * replaced by one of that term's synonyms, each in turn (the library's label rules; plurals match their singular). A
 * model knows only the words its training reports used: "ptx" alone means nothing to it where "pneumothorax" does,
 * and "effusions" less than "effusion". Terms to exclude are left as written.
 */
export function semanticQueryTexts(query: ParsedQuery): string[] {
  const texts = [query.text];
  for (const term of query.terms) {
    const written = new RegExp(
      `(?<![\\p{L}\\p{N}])${escapeRegExp(term.text).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`,
      'iu',
    );
    for (const phrase of term.phrases.filter((candidate) => candidate !== term.text)) {
      if (texts.length === maximumSemanticTexts) return texts;
      const reworded = query.text.replace(written, () => phrase);
      if (!texts.includes(reworded)) texts.push(reworded);
    }
  }
  return texts;
}

/** An FTS5 query for any of the terms: every phrase quoted, so no user text is read as FTS syntax. */
export function ftsQuery(terms: readonly QueryTerm[]): string | null {
  const phrases = [...new Set(terms.flatMap((term) => term.phrases))]
    .map((phrase) => words(phrase).join(' '))
    .filter(Boolean);
  return phrases.length === 0 ? null : phrases.map((phrase) => `"${phrase}"`).join(' OR ');
}
