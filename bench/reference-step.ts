// The steps the training benchmarks time: the reference transformer's (the same as bench/train_step_reference.py)
// and a preset's whole contrastive step, on whichever tfjs backend is active.
import * as tf from '@tensorflow/tfjs';
import { createTransformerBlock, transformerBlock } from '../ml/model/layers/transformer-block.js';
import { ContrastiveEncoder } from '../ml/model/contrastive-encoder.js';
import { patchesPerImage, type EncoderConfig } from '../common/encoder-config.js';
import { gradientsByParameterName, ParameterStore } from '../ml/model/parameter-store.js';
import { AdamW } from '../ml/training/adamw.js';
import { contrastiveStep } from '../ml/training/contrastive-step.js';

/** Pre-LN, 4 layers, d 256, 4 heads, MLP 1024, 32 sequences × 65 tokens. */
export const reference = { layers: 4, width: 256, heads: 4, mlpRatio: 4, tokens: 65, batch: 32 };

export interface StepTiming {
  /** Median seconds per step, after one warm-up step. */
  seconds: number;
  /** The tensor count stayed the same from step to step. */
  leakFree: boolean;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs `step` once to warm up and `steps` times timed; the loss is read back every step, as training does. */
async function timed(steps: number, step: () => Promise<void>): Promise<StepTiming> {
  const seconds: number[] = [];
  const counts: number[] = [];
  for (let index = 0; index <= steps; index++) {
    const started = performance.now();
    await step();
    if (index > 0) seconds.push((performance.now() - started) / 1000);
    counts.push(tf.memory().numTensors);
  }
  return { seconds: median(seconds), leakFree: new Set(counts).size === 1 };
}

/** Forward + backward + AdamW of the reference transformer (mean squared error against a random target). */
export async function timeReferenceSteps(backend: string, steps: number): Promise<StepTiming> {
  await tf.setBackend(backend);
  await tf.ready();
  const store = new ParameterStore(1);
  const blocks = Array.from({ length: reference.layers }, (_, index) =>
    createTransformerBlock(store, `block.${index}`, reference.width, reference.heads, reference.mlpRatio),
  );
  const optimizer = new AdamW(store.trainable(), { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.2 });
  const input = tf.randomNormal([reference.batch, reference.tokens, reference.width], 0, 1, 'float32', 2);
  const target = tf.randomNormal([reference.batch, reference.tokens, reference.width], 0, 1, 'float32', 3);
  try {
    return await timed(steps, async () => {
      const trainable = store.trainable();
      const { value, grads } = tf.variableGrads(() => {
        let hidden: tf.Tensor = input;
        for (const block of blocks) hidden = transformerBlock(hidden, block);
        return hidden.sub(target).square().mean() as tf.Scalar;
      }, [...trainable.values()]);
      await optimizer.step(gradientsByParameterName(trainable, grads), 1e-4, 1);
      await value.data();
      tf.dispose([value, grads]);
    });
  } finally {
    tf.dispose([input, target]);
    optimizer.dispose();
    store.dispose();
  }
}

/** One pretraining step of an encoder configuration (both towers, symmetric InfoNCE, AdamW) on random inputs. */
export async function timeContrastiveSteps(
  backend: string,
  config: EncoderConfig,
  batchSize: number,
  steps: number,
): Promise<StepTiming> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = new ContrastiveEncoder(config, 1);
  const optimizer = new AdamW(model.store.trainable(), { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1 });
  const patches = tf.randomUniform([batchSize, patchesPerImage(config), config.patchSize ** 2], 0, 1, 'float32', 4);
  const texts = {
    tokenIds: tf.randomUniform([batchSize, config.maximumTextTokens], 3, config.vocabularySize, 'int32', 5),
    attentionMask: tf.ones([batchSize, config.maximumTextTokens]),
  } as { tokenIds: tf.Tensor2D; attentionMask: tf.Tensor2D };
  try {
    return await timed(steps, async () => {
      await contrastiveStep(model, optimizer, patches as tf.Tensor3D, texts, 2e-4, 1);
    });
  } finally {
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
    optimizer.dispose();
    model.dispose();
  }
}
