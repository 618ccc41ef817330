import { z } from 'zod';

/**
 * A finding named in report text: the study is positive when one of `terms` occurs outside the scope of a negation
 * ("No pleural effusion" is negative, "Small left pleural effusion" positive). Terms are plain phrases matched on word
 * boundaries, case-insensitive, singular or plural.
 */
export const FindingRule = z.strictObject({
  task: z.string().min(1).max(100),
  terms: z.array(z.string().trim().min(1).max(100)).min(1).max(100),
});
export type FindingRule = z.infer<typeof FindingRule>;

/** A task that is positive when any of the listed finding tasks is (e.g. `abnormal`). */
export const AnyFindingRule = z.strictObject({
  task: z.string().min(1).max(100),
  anyOf: z.array(z.string().min(1).max(100)).min(1),
});
export type AnyFindingRule = z.infer<typeof AnyFindingRule>;

export const ReportLabelRules = z.strictObject({
  findings: z.array(FindingRule).min(1),
  combined: z.array(AnyFindingRule).default([]),
  /** Phrases that negate a finding named after them in the same sentence, up to a `scopeBreaks` word. */
  negationCues: z.array(z.string().trim().min(1).max(100)).min(1),
  /** Phrases that negate a finding named before them in the same sentence: "Pneumothorax is not seen". */
  trailingNegationCues: z.array(z.string().trim().min(1).max(100)).default([]),
  /** Words that end a negation's scope: "No effusion but a small left pneumothorax". */
  scopeBreaks: z.array(z.string().trim().min(1).max(100)).default([]),
  /**
   * A leading cue negates terms at most this many words after it (NegEx's window): "No effusion, small pneumothorax".
   */
  scopeWords: z.number().int().min(1).max(50).default(6),
  /**
   * Other wordings that search reads as one finding (lay terms: "collapsed lung" for pneumothorax). Each finding's
   * own terms already form a group; these add to them. Labelling does not use them.
   */
  searchSynonyms: z
    .array(z.array(z.string().trim().min(1).max(100)).min(2).max(100))
    .max(1000)
    .default([]),
});
export type ReportLabelRules = z.infer<typeof ReportLabelRules>;

/** Chest radiograph findings as the demo generator and typical reports word them; users edit their own copy. */
export const chestRadiographRules: ReportLabelRules = {
  findings: [
    { task: 'nodule', terms: ['nodule', 'nodular opacity', 'rounded opacity', 'mass'] },
    {
      task: 'consolidation',
      terms: ['consolidation', 'airspace opacification', 'airspace opacity', 'airspace shadowing', 'pneumonia'],
    },
    { task: 'effusion', terms: ['effusion', 'blunting of the costophrenic angle'] },
    {
      task: 'cardiomegaly',
      terms: [
        'cardiomegaly',
        'heart is enlarged',
        'enlarged heart',
        'enlarged cardiac silhouette',
        'cardiac silhouette is enlarged',
      ],
    },
    { task: 'pneumothorax', terms: ['pneumothorax'] },
  ],
  combined: [{ task: 'abnormal', anyOf: ['nodule', 'consolidation', 'effusion', 'cardiomegaly', 'pneumothorax'] }],
  negationCues: ['no', 'not', 'without', 'no evidence of', 'negative for', 'free of', 'absence of', 'resolved'],
  trailingNegationCues: [
    'not seen',
    'not identified',
    'not present',
    'ruled out',
    'excluded',
    'has resolved',
    'have resolved',
  ],
  scopeBreaks: ['but', 'however', 'although', 'except', 'with'],
  scopeWords: 6,
  searchSynonyms: [
    ['pneumothorax', 'collapsed lung', 'ptx'],
    ['effusion', 'pleural fluid', 'fluid'],
    ['cardiomegaly', 'big heart', 'large heart'],
    ['consolidation', 'infiltrate', 'pneumonia'],
  ],
};

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
