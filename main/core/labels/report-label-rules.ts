import type { ReportLabelRules } from '../../../common/contract/report-label-rules.js';

export type WeakLabel = 'positive' | 'negative';

function escapeForPattern(phrase: string): string {
  return phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}

export function phrasePattern(phrases: readonly string[], plural: boolean): RegExp {
  const alternatives = phrases.map((phrase) => escapeForPattern(phrase) + (plural ? '(?:s|es)?' : ''));
  // Letter boundaries of any script ("épanchement", "Erguß"), where \b knows only ASCII.
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/**
 * A labeller for every task of `rules`, its patterns compiled once for a whole library. Section headers ("FINDINGS:",
 * "IMPRESSION:") need no special care: a finding is positive if any sentence asserts it, which is how a report that
 * describes a finding in its body and summarises it in its impression reads.
 */
export function reportLabeller(rules: ReportLabelRules): (text: string) => Record<string, WeakLabel> {
  const negation = negationPatterns(rules);
  const findings = rules.findings.map((rule) => ({ task: rule.task, termPattern: phrasePattern(rule.terms, true) }));
  return (text) => {
    const labels: Record<string, WeakLabel> = {};
    for (const { task, termPattern } of findings)
      labels[task] = mentions(text, termPattern, negation).some((mention) => !mention.negated)
        ? 'positive'
        : 'negative';
    for (const rule of rules.combined)
      labels[rule.task] = rule.anyOf.some((task) => labels[task] === 'positive') ? 'positive' : 'negative';
    return labels;
  };
}

/** Labels one report; for many, build the labeller once with `reportLabeller`. */
export function labelReport(text: string, rules: ReportLabelRules): Record<string, WeakLabel> {
  return reportLabeller(rules)(text);
}

export interface NegationPatterns {
  leading: RegExp;
  trailing: RegExp | null;
  breaks: RegExp | null;
  scopeWords: number;
}

export function negationPatterns(
  rules: Pick<ReportLabelRules, 'negationCues' | 'trailingNegationCues' | 'scopeBreaks' | 'scopeWords'>,
): NegationPatterns {
  return {
    leading: phrasePattern(rules.negationCues, false),
    trailing: rules.trailingNegationCues.length > 0 ? phrasePattern(rules.trailingNegationCues, false) : null,
    breaks: rules.scopeBreaks.length > 0 ? phrasePattern(rules.scopeBreaks, false) : null,
    scopeWords: rules.scopeWords,
  };
}

export interface Mention {
  /** Offsets in the whole text. */
  start: number;
  end: number;
  negated: boolean;
}

/** Every match of `pattern` in `text`, sentence by sentence, with whether a negation reaches it. */
export function mentions(text: string, pattern: RegExp, negation: NegationPatterns): Mention[] {
  const found: Mention[] = [];
  const sentence = /[^.;\n]+(?:\.\d[^.;\n]*)*/g;
  for (const part of text.matchAll(sentence)) {
    const body = part[0];
    for (const match of body.matchAll(pattern)) {
      const negated = isNegated(body.slice(0, match.index), body.slice(match.index + match[0].length), negation);
      found.push({ start: part.index + match.index, end: part.index + match.index + match[0].length, negated });
    }
  }
  return found;
}

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * Whether a negation reaches a term: a leading cue at most `scopeWords` words before it, or a trailing cue after it,
 * with no scope-break word in between.
 */
function isNegated(before: string, after: string, negation: NegationPatterns): boolean {
  const breaks = (between: string) => negation.breaks !== null && [...between.matchAll(negation.breaks)].length > 0;
  const leading = [...before.matchAll(negation.leading)].at(-1);
  if (leading) {
    const between = before.slice(leading.index + leading[0].length);
    if (wordCount(between) <= negation.scopeWords && !breaks(between)) return true;
  }
  const trailing = negation.trailing ? [...after.matchAll(negation.trailing)][0] : undefined;
  return trailing !== undefined && !breaks(after.slice(0, trailing.index));
}
