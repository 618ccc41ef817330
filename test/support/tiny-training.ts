import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ContrastiveEncoder } from '../../ml/model/contrastive-encoder.js';
import { withoutModalitySpecificParts, type EncoderConfig } from '../../common/encoder-config.js';
import { gradientsByParameterName } from '../../ml/model/parameter-store.js';
import { AdamW } from '../../ml/training/adamw.js';
import { contrastiveLoss, contrastiveStep } from '../../ml/training/contrastive-step.js';

/** A shared encoder small enough to train a few steps on any backend in seconds (SwiftShader aside). */
export const tinyEncoder: EncoderConfig = {
  ...withoutModalitySpecificParts,
  architecture: 'shared',
  width: 32,
  heads: 4,
  sharedLayers: 2,
  earlyLayers: 1,
  lateLayers: 1,
  frozenSharedLayers: 0,
  mlpRatio: 4,
  modalityIdentifier: { kind: 'feature', featureWidth: 4, initialStandardDeviation: 1 },
  imageSize: 32,
  patchSize: 8,
  vocabularySize: 50,
  maximumTextTokens: 8,
  embeddingSize: 16,
  initialTemperature: 0.07,
  maximumLogitScale: 100,
  imagePositionInitialisation: 'sinusoidal',
};

export interface TinyTrainingRun {
  /** The first step's gradient of every trainable parameter, by name. */
  gradients: Map<string, Float32Array>;
  losses: number[];
  /** Every weight after the steps, by name. */
  weights: Map<string, Float32Array>;
  /** Tensors alive after each step, and on webgpu the GPU buffers in use. */
  tensorCounts: number[];
  bufferCounts: number[];
}

/** Three AdamW steps of `tinyEncoder` (with `overrides`) on `backend`, from a fixed seed and batch; all read back. */
export async function threeTinySteps(
  backend: string,
  overrides: Partial<EncoderConfig> = {},
): Promise<TinyTrainingRun> {
  await tf.setBackend(backend);
  const model = new ContrastiveEncoder({ ...tinyEncoder, ...overrides }, 3);
  const optimizer = new AdamW(model.store.trainable(), { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.2 });
  const patches = tf.tensor3d(
    Float32Array.from({ length: 4 * 16 * 64 }, (_, index) => Math.sin(index * 0.731) * 0.5 + 0.5),
    [4, 16, 64],
  );
  const ids = Array.from({ length: 4 }, (_, row) =>
    Array.from({ length: 8 }, (_, position) =>
      position === 0 ? 1 : position < 5 + (row % 3) ? 3 + ((row * 7 + position * 5) % 45) : 0,
    ),
  );
  const texts = {
    tokenIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(ids.map((row) => row.map((id) => (id === 0 ? 0 : 1)))),
  };
  const trainable = model.store.trainable();
  const { value, grads } = tf.variableGrads(() => contrastiveLoss(model, patches, texts), [...trainable.values()]);
  const gradients = new Map<string, Float32Array>();
  for (const [name, gradient] of Object.entries(gradientsByParameterName(trainable, grads)))
    gradients.set(name, (await gradient.data()) as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  const run: TinyTrainingRun = { gradients, losses: [], weights: new Map(), tensorCounts: [], bufferCounts: [] };
  for (let step = 0; step < 3; step++) {
    run.losses.push((await contrastiveStep(model, optimizer, patches, texts, 1e-3, 1)).loss);
    run.tensorCounts.push(tf.memory().numTensors);
    if (backend === 'webgpu') run.bufferCounts.push((tf.backend() as WebGPUBackend).bufferManager.getNumUsedBuffers());
  }
  for (const [name, variable] of model.store.variables) run.weights.set(name, (await variable.data()) as Float32Array);
  tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  optimizer.dispose();
  model.dispose();
  return run;
}

/** The largest absolute difference between two runs' tensors of the same names. */
export function largestDifference(left: Map<string, Float32Array>, right: Map<string, Float32Array>): number {
  let largest = 0;
  for (const [name, values] of left) {
    const other = right.get(name);
    if (!other || other.length !== values.length) return Number.POSITIVE_INFINITY;
    for (let index = 0; index < values.length; index++)
      largest = Math.max(largest, Math.abs(values[index]! - other[index]!));
  }
  return left.size === right.size ? largest : Number.POSITIVE_INFINITY;
}
