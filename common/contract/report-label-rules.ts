// The keyword rules that read weak labels from report text, and search's negation and synonyms with them.
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
