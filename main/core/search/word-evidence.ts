// What the image side predicts of a report's words, read as evidence for a query's words. A model trained with word
// prediction (ml/objectives/report-words.ts; Joulin et al. 2016) keeps a linear head that gives, for each image, the
// probability that its report asserts each word. The contrastive cosine places a query as one direction, which holds
// one finding well and a combination or a negation poorly ("cardiomegaly with pleural effusion", "pneumothorax without
// effusion"); the head scores each named finding on its own, so the terms of a query can all be asked for at once.
import { reportWordTensors, ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readNamedTensors } from '../../../ml/model/tensor-bundle.js';
import { contentWords, type ParsedQuery, type QueryTerm } from './query-text.js';

/** A model's word-prediction head, with the scale its cosines are logits at. */
export interface ReportWordHead {
  words: readonly string[];
  /** [embeddingSize, words], row-major. */
  weight: Float32Array;
  bias: Float32Array;
  /** exp of the model's learned log logit scale: the contrastive loss's logits are this times the cosine. */
  logitScale: number;
}

const logitScaleTensor = 'model/logitScale';

/** The head of a model file, or null where the model was trained without word prediction (or before it was kept). */
export function readReportWordHead(modelFile: string): ReportWordHead | null {
  const bundle = readNamedTensors(modelFile, [reportWordTensors.weight, reportWordTensors.bias, logitScaleTensor]);
  const words = ModelFileMetadata.shape.reportWords.safeParse(bundle.metadata.reportWords).data;
  const weight = bundle.tensors.get(reportWordTensors.weight);
  const bias = bundle.tensors.get(reportWordTensors.bias);
  const logScale = bundle.tensors.get(logitScaleTensor);
  if (!words || !weight || !bias || !logScale || bias.values.length !== words.length) return null;
  return { words, weight: weight.values, bias: bias.values, logitScale: Math.exp(logScale.values[0]!) };
}

/**
 * A query's terms as head columns: per term, each of its phrases (itself and its synonyms) whose every content word
 * the head predicts, plural or singular. A phrase with a word the head lacks is left out, since its other words alone
 * mean something else ("big heart" is not "heart"); a term with no such phrase gives no evidence.
 */
export interface QueryWords {
  required: number[][][];
  excluded: number[][][];
}

export function queryWords(query: ParsedQuery, head: ReportWordHead): QueryWords | null {
  const column = new Map(head.words.map((word, index) => [word, index]));
  const columnOf = (word: string) =>
    column.get(word) ?? (word.endsWith('s') ? column.get(word.slice(0, -1)) : undefined);
  const phrases = (term: QueryTerm) =>
    term.phrases
      .map((phrase) => contentWords(phrase).map(columnOf))
      .filter((columns): columns is number[] => columns.length > 0 && columns.every((index) => index !== undefined));
  const required = query.terms.map(phrases).filter((alternatives) => alternatives.length > 0);
  const excluded = query.excluded.map(phrases).filter((alternatives) => alternatives.length > 0);
  return required.length + excluded.length > 0 ? { required, excluded } : null;
}

/** log σ(x) and log(1 − σ(x)) = log σ(−x), without overflow. */
function logSigmoid(logit: number): number {
  return -(Math.max(-logit, 0) + Math.log1p(Math.exp(-Math.abs(logit))));
}

/**
 * The log-probability, by the head, that the image's report asserts each required term and none of the excluded ones:
 * a term counts as asserted by its best phrase (the mean over the phrase's words), an excluded term as absent only
 * when its most likely phrase is.
 */
export function wordEvidence(embedding: Float32Array, words: QueryWords, head: ReportWordHead): number {
  const size = embedding.length;
  const count = head.words.length;
  const logits = new Map<number, number>();
  const logit = (index: number) => {
    let value = logits.get(index);
    if (value === undefined) {
      value = head.bias[index]!;
      for (let row = 0; row < size; row++) value += embedding[row]! * head.weight[row * count + index]!;
      logits.set(index, value);
    }
    return value;
  };
  const phraseLog = (columns: number[], sign: 1 | -1) =>
    columns.reduce((sum, index) => sum + logSigmoid(sign * logit(index)), 0) / columns.length;
  let evidence = 0;
  for (const alternatives of words.required)
    evidence += Math.max(...alternatives.map((columns) => phraseLog(columns, 1)));
  for (const alternatives of words.excluded)
    evidence += Math.min(...alternatives.map((columns) => phraseLog(columns, -1)));
  return evidence;
}
