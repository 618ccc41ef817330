import { z } from 'zod';
import type { SeededRandom } from '../../common/seeded-random.js';

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

/** "IMPRESSION:", "Findings -", "Handwritten digit:": a short label in front of the content. */
const sectionHeader = /^[\p{L}][\p{L} ]{0,29}\s*[:–-]\s+/u;
/** Words that turn what follows into an absence: a span cut after them would say the opposite of the report. */
const negation = /\b(no|not|without|negative|free of|absent|resolved|ruled out|clear of)\b/i;

/** The report's sentences, headers off, empty ones dropped. */
export function reportSentences(report: string): string[] {
  return report
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim().replace(sectionHeader, '').trim())
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence));
}

/** The text one training example reads: the whole report, one sentence, or a short span, drawn with `random`. */
export function sampleReportText(report: string, settings: TextSamplingSettings, random: SeededRandom): string {
  const draw = random.next();
  if (draw >= settings.sentenceProbability + settings.phraseProbability) return report;
  const sentences = reportSentences(report);
  if (sentences.length === 0) return report;
  const sentence = random.pick(sentences);
  if (draw < settings.sentenceProbability || negation.test(sentence)) return sentence;
  const words = sentence.replace(/[.!?;,]+$/u, '').split(/\s+/);
  const length = Math.min(words.length, random.integer(2, 4));
  const start = random.integer(0, words.length - length);
  return words.slice(start, start + length).join(' ');
}
