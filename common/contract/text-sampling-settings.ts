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
});
export type TextSamplingSettings = z.infer<typeof TextSamplingSettings>;

export const noTextSampling: TextSamplingSettings = { sentenceProbability: 0, phraseProbability: 0 };
export const defaultTextSampling: TextSamplingSettings = { sentenceProbability: 0.3, phraseProbability: 0.2 };
