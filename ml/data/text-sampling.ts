import type { SeededRandom } from '../../common/seeded-random.js';
import type { TextSamplingSettings } from '../../common/contract/text-sampling-settings.js';

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

/** What step `step` of `totalSteps` reads of its reports: null while the run still reads them whole. */
export function textSamplingAtStep(
  settings: TextSamplingSettings,
  step: number,
  totalSteps: number,
): TextSamplingSettings | null {
  const sampling = settings.sentenceProbability + settings.phraseProbability > 0;
  return sampling && step >= Math.round(settings.wholeReportsFirst * totalSteps) ? settings : null;
}
