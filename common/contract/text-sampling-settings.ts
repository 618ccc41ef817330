import { z } from 'zod';

/**
 * What a training step reads of a report. A model trained on whole reports meets one-word and short-phrase queries at
 * search time; training on sampled sentences (CXR-CLIP) and short spans as well as the whole report teaches the text
 * side that a sentence or a few words of a report also describe its image.
 */
export const TextSamplingSettings = z.strictObject({
  /** Chance a report is replaced by one of its sentences, section headers ("Impression:") left off. */
  sentenceProbability: z.number().min(0).max(1),
  /** Chance it is replaced by a span of two to four words of one sentence (a negated sentence stays whole). */
  phraseProbability: z.number().min(0).max(1),
  /**
   * Share of the run's steps, from its start, that read every report whole before sampling begins. Fragments such as
   * "No pneumothorax." fit many images of a batch alike; read from the first step they held cpu-fast's embeddings
   * collapsed on the loss plateau (ln batch) for a quarter of its steps (bench/RESULTS.md). 0 (the default, and what
   * runs recorded before it did) samples from the first step.
   */
  wholeReportsFirst: z.number().min(0).max(1).default(0),
});
export type TextSamplingSettings = z.infer<typeof TextSamplingSettings>;

export const noTextSampling: TextSamplingSettings = {
  sentenceProbability: 0,
  phraseProbability: 0,
  wholeReportsFirst: 0,
};
export const defaultTextSampling: TextSamplingSettings = {
  sentenceProbability: 0.3,
  phraseProbability: 0.2,
  wholeReportsFirst: 0.3,
};
