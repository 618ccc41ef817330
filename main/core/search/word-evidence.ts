// What the image side predicts of a report's words, read as evidence for a query's words. A model trained with word
// prediction (ml/objectives/report-words.ts; Joulin et al. 2016) keeps a linear head that gives, for each image, the
// probability that its report asserts each word. The contrastive cosine places a query as one direction, which holds
// one finding well and a combination or a negation poorly ("cardiomegaly with pleural effusion", "pneumothorax without
// effusion"); the head scores each named finding on its own, so the terms of a query can all be asked for at once.
import type Database from 'better-sqlite3';
import { auroc } from '../../../common/binary-classification-metrics.js';
import type { ModelRecord } from '../../../common/contract/index.js';
import { benjaminiHochberg, upperTailProbability } from '../../../common/false-discovery-rate.js';
import { splitByPatient } from '../../../ml/data/pretraining-dataset.js';
import { reportWordTensors, ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readNamedTensors } from '../../../ml/model/tensor-bundle.js';
import { libraryLabelRules } from '../labels/library-label-rules.js';
import { withAffirmedWords } from '../training/affirmed-words.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';
import { contentWords, type ParsedQuery, type QueryTerm } from './query-text.js';

/**
 * How much the head's evidence weighs beside the cosine (both as log-odds: the cosine times the model's logit scale,
 * the words as log-probabilities). Chosen on the tuning query set only, over four models: the best mean Recall@10
 * there (bench/RESULTS.md). The cosine still orders the images the words do not tell apart, and ranks alone a query
 * with no word the head predicts.
 */
export const wordEvidenceWeight = 32;

/** A model's word-prediction head, with the scale its cosines are logits at. */
export interface ReportWordHead {
  words: readonly string[];
  embeddingSize: number;
  /** [embeddingSize, words], row-major. */
  weight: Float32Array;
  bias: Float32Array;
  /** exp of the model's learned log logit scale: the contrastive loss's logits are this times the cosine. */
  logitScale: number;
}

/**
 * A head with the words it predicts better than chance on images it was not trained on (`judgeWordHead`): a word the
 * image cannot show (the report's wording: "number", "impression") is fitted on the training images all the same, and
 * must not rank images.
 */
export interface JudgedWordHead extends ReportWordHead {
  predictable: readonly boolean[];
}

/**
 * The false discovery rate over a head's words: of the words taken as predictable, at most 1% are expected to be at
 * chance. Each word is its own test (a head has hundreds), so a fixed level per word would let a few through by chance
 * alone. A standard level, not tuned.
 */
const falseDiscoveryRate = 0.01;

const logitScaleTensor = 'model/logitScale';

/**
 * The head of a model file, or null where the model was trained without word prediction (or before it was kept) or
 * where the head does not fit its word list.
 */
export function readReportWordHead(modelFile: string): ReportWordHead | null {
  const bundle = readNamedTensors(modelFile, [reportWordTensors.weight, reportWordTensors.bias, logitScaleTensor]);
  const words = ModelFileMetadata.shape.reportWords.safeParse(bundle.metadata.reportWords).data;
  const weight = bundle.tensors.get(reportWordTensors.weight);
  const bias = bundle.tensors.get(reportWordTensors.bias);
  const logScale = bundle.tensors.get(logitScaleTensor);
  if (!words || !weight || !bias || !logScale) return null;
  const [embeddingSize, columns] = weight.shape;
  if (weight.shape.length !== 2 || columns !== words.length || bias.values.length !== words.length) return null;
  return {
    words,
    embeddingSize: embeddingSize!,
    weight: weight.values,
    bias: bias.values,
    logitScale: Math.exp(logScale.values[0]!),
  };
}

/** Validation images a head is judged on, at most: enough to tell a word from chance well below p = 0.01. */
const maximumValidationExamples = 3000;

/** An image of the validation split: its embedding and the words its report asserts. */
export interface ValidationExample {
  embedding: Float32Array;
  words: ReadonlySet<string>;
}

/**
 * The validation split's images that have a vector and a report, by the model's own split of this library: images it
 * was not trained on, so a word the head memorised on its training images shows as chance here.
 */
export function validationExamples(
  database: Database.Database,
  libraryPath: string,
  model: Pick<ModelRecord, 'split'>,
  vectorsOf: (imageIds: readonly number[]) => ReadonlyMap<number, Float32Array>,
): ValidationExample[] {
  const { items } = buildPretrainingDataset(database, libraryPath);
  const { validation } = splitByPatient(
    items,
    { validation: model.split.validationFraction, test: model.split.testFraction },
    model.split.seed,
  );
  // Only (at most a few thousand of) the validation reports are read for their asserted words: the split's order is
  // by a hash of the patient, so the first ones are a fair sample, and judging stays a fraction of a second.
  const chosen = withAffirmedWords(
    validation.slice(0, maximumValidationExamples).map((index) => items[index]!),
    libraryLabelRules(database),
  );
  const vectors = vectorsOf(chosen.map((item) => item.imageId));
  return chosen.flatMap((item) => {
    const embedding = vectors.get(item.imageId);
    return embedding && item.reportText ? [{ embedding, words: new Set(item.reportWords) }] : [];
  });
}

/**
 * Each word's one-sided p-value that the head's logits on the validation images rank those whose report asserts the
 * word (or its plural, as training folds them) above the rest better than chance: the Mann–Whitney test, by its normal
 * approximation. Null for a word the validation images never (or always) assert, which cannot be judged.
 */
export function wordPValues(head: ReportWordHead, examples: readonly ValidationExample[]): (number | null)[] {
  return head.words.map((word, column) => {
    const scored = examples.map(({ embedding, words }) => ({
      score: headLogit(head, embedding, column),
      positive: words.has(word) || words.has(`${word}s`),
    }));
    const positives = scored.filter((example) => example.positive).length;
    const negatives = scored.length - positives;
    if (positives === 0 || negatives === 0) return null;
    const standardError = Math.sqrt((positives + negatives + 1) / (12 * positives * negatives));
    return upperTailProbability((auroc(scored) - 0.5) / standardError);
  });
}

/**
 * Which words the head predicts: those whose p-value (`wordPValues`) passes Benjamini–Hochberg over the words at
 * `falseDiscoveryRate`. A word that cannot be judged is not used.
 */
export function judgeWordHead(head: ReportWordHead, examples: readonly ValidationExample[]): JudgedWordHead {
  return { ...head, predictable: benjaminiHochberg(wordPValues(head, examples), falseDiscoveryRate) };
}

/**
 * A query's terms as head columns: per term, each of its phrases (itself and its synonyms) whose every content word
 * the head predicts, plural or singular. A phrase with a word the head lacks is left out, since its other words alone
 * mean something else ("big heart" is not "heart"); a term with no such phrase gives no evidence. Phrases hold
 * positions in `columns`, the head columns the query reads, each once.
 */
export interface QueryWords {
  columns: number[];
  required: number[][][];
  excluded: number[][][];
}

export function queryWords(query: ParsedQuery, head: JudgedWordHead): QueryWords | null {
  // A word the head does not predict is a word it lacks.
  const columnOfWord = new Map(
    head.words.flatMap((word, index) => (head.predictable[index] ? [[word, index] as const] : [])),
  );
  const columnOf = (word: string) =>
    columnOfWord.get(word) ??
    (word.endsWith('s') ? columnOfWord.get(word.slice(0, -1)) : undefined) ??
    columnOfWord.get(`${word}s`);
  const columns: number[] = [];
  const positionOf = (column: number) => {
    const position = columns.indexOf(column);
    return position >= 0 ? position : columns.push(column) - 1;
  };
  const phrases = (term: QueryTerm) =>
    term.phrases
      .map((phrase) => contentWords(phrase).map(columnOf))
      .filter((found): found is number[] => found.length > 0 && found.every((column) => column !== undefined))
      .map((found) => found.map(positionOf));
  const required = query.terms.map(phrases).filter((alternatives) => alternatives.length > 0);
  const excluded = query.excluded.map(phrases).filter((alternatives) => alternatives.length > 0);
  return required.length + excluded.length > 0 ? { columns, required, excluded } : null;
}

/** One word's logit for one image: the embedding times the head's column, plus its bias. */
function headLogit(head: ReportWordHead, embedding: Float32Array, column: number): number {
  const count = head.words.length;
  let logit = head.bias[column]!;
  for (let row = 0; row < head.embeddingSize; row++) logit += embedding[row]! * head.weight[row * count + column]!;
  return logit;
}

/** log σ(x), without overflow. */
function logSigmoid(logit: number): number {
  return -(Math.max(-logit, 0) + Math.log1p(Math.exp(-Math.abs(logit))));
}

/**
 * The log-probability, by the head, that the image's report asserts each required term and none of the excluded ones:
 * a term counts as asserted by its best phrase (the mean over the phrase's words), an excluded term as absent only
 * when its most likely phrase is ("without pleural effusion": the phrase absent, not each of its words). `embedding`
 * has the head's `embeddingSize` values.
 */
export function wordEvidence(embedding: Float32Array, words: QueryWords, head: ReportWordHead): number {
  const logits = words.columns.map((column) => headLogit(head, embedding, column));
  // A phrase's log-probability: the mean of its words' (their geometric mean as the phrase's probability).
  const phraseLog = (positions: number[]) =>
    positions.reduce((sum, position) => sum + logSigmoid(logits[position]!), 0) / positions.length;
  // log(1 − p) from log p; p is below 1 in floating point only up to about 1 − 1e-16.
  const absentLog = (logProbability: number) => Math.log(-Math.expm1(Math.min(logProbability, -1e-16)));
  let evidence = 0;
  for (const alternatives of words.required) evidence += Math.max(...alternatives.map(phraseLog));
  for (const alternatives of words.excluded)
    evidence += Math.min(...alternatives.map((positions) => absentLog(phraseLog(positions))));
  return evidence;
}
