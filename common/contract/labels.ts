// Labels: weak labels read from reports, their agreement with expert labels, labelling by hand.
import { z } from 'zod';
import { NoInput } from './inputs.js';
import { ReportLabelRules } from './report-label-rules.js';

export const labelApiMethods = {
  'labels.fromReports': {
    /** Without rules, the library's own (the last set given; the chest radiograph rules at first). */
    input: z.strictObject({ rules: ReportLabelRules.optional() }),
    output: z.object({
      studiesLabelled: z.number().int(),
      labelsWritten: z.number().int(),
      positivesByTask: z.record(z.string(), z.number().int()),
    }),
    summary:
      'Weak labels from report text by keyword rules that respect negation (source "report-rules"); replaces the last run\'s. The rules become the library\'s: search reads negation and synonyms by them too.',
  },
  'labels.queue': {
    input: z.strictObject({
      task: z.string().min(1).max(200),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
    output: z.object({
      total: z.number().int(),
      unlabelled: z.number().int(),
      items: z.array(
        z.object({
          studyId: z.number().int(),
          imageId: z.number().int().nullable(),
          reportText: z.string(),
          manualValue: z.string().nullable(),
        }),
      ),
    }),
    summary:
      'Studies to label by hand for a task (those without a manual label first), with their first image and report.',
  },
  'labels.set': {
    input: z.strictObject({
      studyId: z.number().int().positive(),
      task: z.string().min(1).max(200).regex(/\S/),
      value: z.enum(['positive', 'negative']).nullable(),
    }),
    output: z.object({ studyId: z.number().int(), task: z.string(), value: z.string().nullable() }),
    summary: 'Set or clear a study\'s manual label for a task (source "manual", which outranks manifest labels).',
  },
  'labels.weakAgreement': {
    input: NoInput,
    output: z.object({
      tasks: z.array(z.object({ task: z.string(), studiesCompared: z.number().int(), agreeing: z.number().int() })),
      studiesCompared: z.number().int(),
      studiesAgreeingOnEveryTask: z.number().int(),
    }),
    summary: "How often the weak labels agree with the library's expert or manifest labels, per task and per study.",
  },
} as const;
