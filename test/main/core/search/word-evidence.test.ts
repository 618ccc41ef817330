import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { parseQuery } from '../../../../main/core/search/query-text.js';
import {
  queryWords,
  readReportWordHead,
  wordEvidence,
  judgeWordHead,
  wordPValues,
  type QueryWords,
  type JudgedWordHead,
  type ValidationExample,
} from '../../../../main/core/search/word-evidence.js';
import { reportWordTensors } from '../../../../ml/model/model-file.js';
import { writeTensorBundle, type TensorBundle } from '../../../../ml/model/tensor-bundle.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

// A head over four-value embeddings: value k of an image says how strongly its report asserts words[k].
const words = ['cardiomegaly', 'effusion', 'enlarged', 'heart', 'pneumothorax', 'number'];
const embeddingSize = 4;
function weights(): Float32Array {
  // Column per word; cardiomegaly, "enlarged heart" and "heart" read value 0, effusion 1, pneumothorax 2, and
  // "number" (a wording of the report, which the image cannot show) value 3.
  const reads = [0, 1, 0, 0, 2, 3];
  const weight = new Float32Array(embeddingSize * words.length);
  reads.forEach((row, column) => (weight[row * words.length + column] = 8));
  return weight;
}
const bias = new Float32Array(words.length).fill(-4);

/** Validation images: bit k of i sets value k; the report names what values 0–2 show, and says "number" at random. */
function validationImages(): ValidationExample[] {
  return Array.from({ length: 64 }, (_, image) => {
    const bit = (k: number) => (image >> k) & 1;
    const said = [
      ...(bit(0) ? ['cardiomegaly', 'enlarged', 'heart'] : []),
      ...(bit(1) ? ['effusions'] : []),
      ...(bit(2) ? ['pneumothorax'] : []),
      ...(bit(4) ? ['number'] : []),
    ];
    return { embedding: Float32Array.from([bit(0), bit(1), bit(2), bit(3)]), words: new Set(said) };
  });
}

function writeModel(file: string, withHead: boolean): void {
  const tensors: TensorBundle['tensors'] = new Map([
    ['model/logitScale', { shape: [], values: new Float32Array([Math.log(20)]) }],
    ['model/other', { shape: [2], values: new Float32Array([1, 2]) }],
  ]);
  if (withHead) {
    tensors.set(reportWordTensors.weight, { shape: [embeddingSize, words.length], values: weights() });
    tensors.set(reportWordTensors.bias, { shape: [words.length], values: bias });
  }
  writeTensorBundle(file, {
    metadata: { format: 'unisight-model', ...(withHead ? { reportWords: words } : {}) },
    tensors,
  });
}

const head: JudgedWordHead = judgeWordHead(
  { words, embeddingSize, weight: weights(), bias, logitScale: 20 },
  validationImages(),
);
const image = (values: number[]) => new Float32Array(values);
const both = image([1, 1, 0, 0]);
const heartOnly = image([1, 0, 0, 0]);
const fluidOnly = image([0, 1, 0, 0]);
const clear = image([0, 0, 0, 0]);
const evidence = (text: string, embedding: Float32Array) =>
  wordEvidence(embedding, queryWords(parseQuery(text, chestRadiographRules), head)!, head);

describe('word evidence: what the image side predicts of report words, read for a query', () => {
  const folder = temporaryLibrary();
  afterAll(() => folder.remove());

  it('reads the head and the logit scale from a model file, and nothing from a model trained without one', () => {
    const withHead = path.join(folder.path, 'with.unisight');
    const without = path.join(folder.path, 'without.unisight');
    writeModel(withHead, true);
    writeModel(without, false);
    const read = readReportWordHead(withHead)!;
    expect(read.words).toEqual(words);
    expect([...read.weight]).toEqual([...weights()]);
    expect([...read.bias]).toEqual([...bias]);
    expect(read.logitScale).toBeCloseTo(20, 4);
    expect(read.embeddingSize).toBe(embeddingSize);
    expect(readReportWordHead(without)).toBeNull();
  });

  it('uses only the words the head predicts better than chance on validation images: not a wording', () => {
    // Plural reports count for the singular word ("effusions"), as training folds them.
    expect(head.predictable).toEqual([true, true, true, true, true, false]);
    // A word at chance is a word the head lacks: "number 7" gets no evidence, the cosine alone ranks it.
    expect(queryWords(parseQuery('number 7', chestRadiographRules), head)).toBeNull();
    // A word no validation report asserts (or every one does) cannot be judged: not trusted either.
    const unjudged = judgeWordHead(head, validationImages().slice(0, 1));
    expect(unjudged.predictable).toEqual([false, false, false, false, false, false]);
  });

  it('holds the false discovery rate over the words: a head of noise words gets none, where p < 0.01 each gets some', () => {
    const random = new SeededRandom('noise head');
    const count = 300;
    const size = 8;
    const noiseWords = Array.from({ length: count }, (_, index) => `word${index}`);
    const noiseHead = {
      words: noiseWords,
      embeddingSize: size,
      weight: Float32Array.from({ length: size * count }, () => random.normal()),
      bias: new Float32Array(count),
      logitScale: 20,
    };
    // Reports that assert each word at random, whatever the image: no word is predictable.
    const examples = Array.from({ length: 200 }, () => ({
      embedding: Float32Array.from({ length: size }, () => random.normal()),
      words: new Set(noiseWords.filter(() => random.chance(0.3))),
    }));
    expect(judgeWordHead(noiseHead, examples).predictable.filter(Boolean)).toHaveLength(0);
    // The same words tested each at p < 0.01 alone: some pass by chance, which is what the rate over words prevents.
    const alone = wordPValues(noiseHead, examples).filter((value) => value !== null && value < 0.01);
    expect(alone.length).toBeGreaterThan(0);
  });

  it('maps terms and their synonyms to head words, plural to singular, and drops phrases with a word it lacks', () => {
    const columns = (text: string) => queryWords(parseQuery(text, chestRadiographRules), head);
    const namedIn = (read: QueryWords) => (alternatives: number[][]) =>
      alternatives.map((phrase) => phrase.map((position) => words[read.columns[position]!]));
    const named = (text: string) => {
      const read = columns(text)!;
      return { required: read.required.map(namedIn(read)), excluded: read.excluded.map(namedIn(read)) };
    };
    // "big heart" has a word the head lacks: not read as "heart"; the group's other wordings stand for it.
    const cardiomegaly = named('big heart').required;
    expect(cardiomegaly).toHaveLength(1);
    expect(cardiomegaly[0]).toEqual(expect.arrayContaining([['cardiomegaly'], ['enlarged', 'heart']]));
    expect(cardiomegaly[0]).not.toContainEqual(['heart']);
    expect(named('effusions').required).toEqual([expect.arrayContaining([['effusion']])]);
    expect(named('no pneumothorax')).toEqual({ required: [], excluded: [[['pneumothorax']]] });
    // Each head column the query reads is computed once, however many phrases share it.
    const shared = columns('enlarged heart, cardiomegaly')!;
    expect(new Set(shared.columns).size).toBe(shared.columns.length);
    // Nothing the head predicts: no evidence, the cosine alone ranks.
    expect(columns('coin lesion')).toBeNull();
  });

  it('asks for every term of a combination at once, and for an excluded one to be absent', () => {
    const combination = 'cardiomegaly with pleural effusion';
    expect(evidence(combination, both)).toBeGreaterThan(evidence(combination, heartOnly));
    expect(evidence(combination, both)).toBeGreaterThan(evidence(combination, fluidOnly));
    expect(evidence(combination, heartOnly)).toBeGreaterThan(evidence(combination, clear));
    expect(evidence('no effusion', heartOnly)).toBeGreaterThan(evidence('no effusion', fluidOnly));
    const ruledOut = 'cardiomegaly without effusion';
    expect(evidence(ruledOut, heartOnly)).toBeGreaterThan(evidence(ruledOut, both));
    // An excluded phrase is absent as a phrase (1 − its probability), not word by word: one of two words absent does
    // not make "effusion pneumothorax" absent by half.
    const effusionOnly = image([0, 1, 0, 0]);
    const phrase: QueryWords = {
      columns: [words.indexOf('effusion'), words.indexOf('pneumothorax')],
      required: [],
      excluded: [[[0, 1]]],
    };
    const logSigmoid = (logit: number) => -Math.log1p(Math.exp(-logit));
    const phraseLog = (logSigmoid(4) + logSigmoid(-4)) / 2;
    expect(wordEvidence(effusionOnly, phrase, head)).toBeCloseTo(Math.log(1 - Math.exp(phraseLog)), 6);
    // Log-probabilities: at most 0, and exactly the head's σ for a single word.
    const logit = 8 * 1 - 4;
    expect(evidence('pneumothorax', image([0, 0, 1, 0]))).toBeCloseTo(-Math.log1p(Math.exp(-logit)), 6);
    expect(evidence('pneumothorax', clear)).toBeCloseTo(-Math.log1p(Math.exp(4)), 6);
  });
});
