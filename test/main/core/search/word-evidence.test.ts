import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import { parseQuery } from '../../../../main/core/search/query-text.js';
import {
  queryWords,
  readReportWordHead,
  wordEvidence,
  type ReportWordHead,
} from '../../../../main/core/search/word-evidence.js';
import { reportWordTensors } from '../../../../ml/model/model-file.js';
import { writeTensorBundle } from '../../../../ml/model/tensor-bundle.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

// A head over four-value embeddings: value k of an image says how strongly its report asserts words[k].
const words = ['cardiomegaly', 'effusion', 'enlarged', 'heart', 'pneumothorax'];
const embeddingSize = 4;
function weights(): Float32Array {
  // Column per word; cardiomegaly, "enlarged heart" and "heart" read value 0, effusion 1, pneumothorax 2.
  const reads = [0, 1, 0, 0, 2];
  const weight = new Float32Array(embeddingSize * words.length);
  reads.forEach((row, column) => (weight[row * words.length + column] = 8));
  return weight;
}
const bias = new Float32Array(words.length).fill(-4);

function writeModel(file: string, withHead: boolean): void {
  writeTensorBundle(file, {
    metadata: { format: 'unisight-model', ...(withHead ? { reportWords: words } : {}) },
    tensors: new Map([
      ['model/logitScale', { shape: [], values: new Float32Array([Math.log(20)]) }],
      ['model/other', { shape: [2], values: new Float32Array([1, 2]) }],
      ...(withHead
        ? ([
            [reportWordTensors.weight, { shape: [embeddingSize, words.length], values: weights() }],
            [reportWordTensors.bias, { shape: [words.length], values: bias }],
          ] as const)
        : []),
    ]),
  });
}

const head: ReportWordHead = { words, weight: weights(), bias, logitScale: 20 };
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
    expect(readReportWordHead(without)).toBeNull();
  });

  it('maps terms and their synonyms to head words, plural to singular, and drops phrases with a word it lacks', () => {
    const columns = (text: string) => queryWords(parseQuery(text, chestRadiographRules), head);
    const named = (alternatives: number[][]) => alternatives.map((phrase) => phrase.map((column) => words[column]));
    // "big heart" has a word the head lacks: not read as "heart"; the group's other wordings stand for it.
    const cardiomegaly = columns('big heart')!.required.map(named);
    expect(cardiomegaly).toHaveLength(1);
    expect(cardiomegaly[0]).toEqual(expect.arrayContaining([['cardiomegaly'], ['enlarged', 'heart']]));
    expect(cardiomegaly[0]).not.toContainEqual(['heart']);
    expect(columns('effusions')!.required.map(named)).toEqual([expect.arrayContaining([['effusion']])]);
    expect(columns('no pneumothorax')).toEqual({ required: [], excluded: [[[words.indexOf('pneumothorax')]]] });
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
    // Log-probabilities: at most 0, and exactly the head's σ for a single word.
    const logit = 8 * 1 - 4;
    expect(evidence('pneumothorax', image([0, 0, 1, 0]))).toBeCloseTo(-Math.log1p(Math.exp(-logit)), 6);
    expect(evidence('pneumothorax', clear)).toBeCloseTo(-Math.log1p(Math.exp(4)), 6);
  });
});
