// The scale-out trainer's result (model.unisight-tensors, written by scale-out/unisight_train/training.py) made a
// Unisight model file: the weights by name, with the configuration, tokenizer and this library's split for its options.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { PretrainOptions } from '../../../common/contract/index.js';
import { EncoderConfig } from '../../../common/encoder-config.js';
import { summariseSplit } from '../../../ml/data/pretraining-dataset.js';
import { reportWordTensors, type ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readTensorBundle, writeTensorBundle, type TensorBundle } from '../../../ml/model/tensor-bundle.js';
import { BpeTokenizer, TokenizerData } from '../../../ml/tokenizer/bpe-tokenizer.js';
import { ApiError } from '../../api/api-error.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';

const ScaleOutResult = z.object({
  format: z.literal('unisight-scale-out-result'),
  formatVersion: z.literal(1),
  step: z.number().int(),
  totalSteps: z.number().int(),
  worldSize: z.number().int(),
  encoder: EncoderConfig,
  tokenizer: TokenizerData,
  training: PretrainOptions,
  dataset: z.object({ digest: z.string() }).loose(),
  reportWords: z.array(z.string()).optional(),
});

/** Writes `target`, a model file the model store imports; refuses a file that is not a whole trainer result. */
export function convertScaleOutResult(
  database: Database.Database,
  libraryPath: string,
  file: string,
  target: string,
): void {
  let bundle: ReturnType<typeof readTensorBundle>;
  try {
    bundle = readTensorBundle(file);
  } catch (error) {
    throw new ApiError('invalid-input', `Cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = ScaleOutResult.safeParse(bundle.metadata);
  if (!parsed.success)
    throw new ApiError(
      'invalid-input',
      `${file} is not a result of Unisight's scale-out trainer (model.unisight-tensors from train.py).`,
    );
  const result = parsed.data;
  try {
    new BpeTokenizer(result.tokenizer);
  } catch (error) {
    throw new ApiError('invalid-input', `${file}: ${(error as Error).message}`);
  }
  const weights = new Map([...bundle.tensors].filter(([name]) => name.startsWith('model/')));
  const parameterCount = [...weights.values()].reduce((sum, tensor) => sum + tensor.values.length, 0);
  const wordHead = wordHeadOf(bundle, result.reportWords, file, result.encoder.embeddingSize);
  const { items } = buildPretrainingDataset(database, libraryPath);
  const metadata: ModelFileMetadata = {
    format: 'unisight-model',
    formatVersion: 1,
    config: result.encoder,
    tokenizer: result.tokenizer,
    options: {
      ...result.training,
      scaleOut: { steps: result.step, processes: result.worldSize, dataset: result.dataset.digest },
    },
    split: summariseSplit(items, result.training),
    metrics: { validation: null, test: null, imageProbe: null },
    parameterCount,
    ...(wordHead ? { reportWords: wordHead.words } : {}),
  };
  fs.rmSync(target, { force: true });
  writeTensorBundle(target, { metadata, tensors: new Map([...weights, ...(wordHead?.tensors ?? [])]) });
}

/** The trainer's word-prediction head, checked against its word list; null for a run without word prediction. */
function wordHeadOf(
  bundle: ReturnType<typeof readTensorBundle>,
  words: string[] | undefined,
  file: string,
  embeddingSize: number,
): { words: string[]; tensors: TensorBundle['tensors'] } | null {
  const weight = bundle.tensors.get(reportWordTensors.weight);
  const bias = bundle.tensors.get(reportWordTensors.bias);
  if (!words || !weight || !bias) return null;
  if (weight.shape.join('×') !== `${embeddingSize}×${words.length}` || bias.shape.join('×') !== `${words.length}`)
    throw new ApiError('invalid-input', `${file}: its word-prediction head does not fit its ${words.length} words.`);
  return {
    words,
    tensors: new Map([
      [reportWordTensors.weight, weight],
      [reportWordTensors.bias, bias],
    ]),
  };
}
