import * as tf from '@tensorflow/tfjs';
import type { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import { loadModelFile } from '../model/load-model.js';
import type { BpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import type { EngineTask } from '../../common/engine/engine-task.js';

/** The model search queries are encoded with, kept loaded between queries: loading it costs far more than a query. */
let loaded: { file: string; encoder: ContrastiveEncoder; tokenizer: BpeTokenizer } | null = null;

function modelFor(file: string): { encoder: ContrastiveEncoder; tokenizer: BpeTokenizer } {
  if (loaded?.file === file) return loaded;
  loaded?.encoder.dispose();
  loaded = null;
  loaded = { file, ...loadModelFile(file) };
  return loaded;
}

/** Embeds texts (search queries, pasted reports) with the text side of a model: L2-normalised vectors. */
export const runEncodeTexts: EngineTask<'encode-texts'> = async ({ modelFile, texts }) => {
  const { encoder, tokenizer } = modelFor(modelFile);
  const length = encoder.config.maximumTextTokens;
  const tokenIds = new Int32Array(texts.length * length);
  const attentionMask = new Float32Array(texts.length * length);
  texts.forEach((text, row) => {
    const encoded = tokenizer.encode(text, length);
    tokenIds.set(encoded.tokenIds, row * length);
    attentionMask.set(encoded.attentionMask, row * length);
  });
  const embedded = tf.tidy(() =>
    encoder.encode('text', {
      tokenIds: tf.tensor2d(tokenIds, [texts.length, length], 'int32'),
      attentionMask: tf.tensor2d(attentionMask, [texts.length, length]),
    }),
  );
  const values = await embedded.data();
  embedded.dispose();
  const size = encoder.config.embeddingSize;
  return {
    outcome: 'succeeded',
    result: { vectors: texts.map((_, row) => Array.from(values.subarray(row * size, (row + 1) * size))) },
  };
};
