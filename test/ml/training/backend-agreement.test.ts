import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { ContrastiveEncoder } from '../../../ml/model/contrastive-encoder.js';
import { withoutModalitySpecificParts, type EncoderConfig } from '../../../ml/model/model-config.js';
import { AdamW } from '../../../ml/training/adamw.js';
import { contrastiveStep } from '../../../ml/training/contrastive-step.js';

const config: EncoderConfig = {
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

/** Three training steps from the same seed and data; the losses and the tensor count after each step. */
async function threeSteps(
  backend: 'cpu' | 'wasm',
  overrides: Partial<EncoderConfig> = {},
): Promise<{ losses: number[]; tensorCounts: number[] }> {
  await tf.setBackend(backend);
  const model = new ContrastiveEncoder({ ...config, ...overrides }, 3);
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
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push((await contrastiveStep(model, optimizer, patches, texts, 1e-3, 1)).loss);
    tensorCounts.push(tf.memory().numTensors);
  }
  tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  optimizer.dispose();
  model.dispose();
  return { losses, tensorCounts };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('training on the wasm backend', () => {
  it('has every kernel a training step needs, leaks nothing, and agrees with the cpu backend', async () => {
    const reference = await threeSteps('cpu');
    const wasm = await threeSteps('wasm');
    expect(new Set(wasm.tensorCounts).size).toBe(1);
    wasm.losses.forEach((loss, index) => expect(loss).toBeCloseTo(reference.losses[index]!, 3));
  });

  it('agrees with the cpu backend with every MS-CLIP option on (per-modality norms, convolutional stem, branch)', async () => {
    const msClip: Partial<EncoderConfig> = {
      sharedBlockParts: { attention: true, mlp: true, layerNorms: false },
      imageStem: 'convolutional',
      parallelBranchLayers: [1, 2, 3],
    };
    const reference = await threeSteps('cpu', msClip);
    const wasm = await threeSteps('wasm', msClip);
    expect(new Set(wasm.tensorCounts).size).toBe(1);
    wasm.losses.forEach((loss, index) => expect(loss).toBeCloseTo(reference.losses[index]!, 3));
  });
});
