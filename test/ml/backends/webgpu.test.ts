import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onGpuFailure, startWebGpu, stopWebGpu } from '../../../ml/backends/webgpu-device.js';
import { contrastiveLoss, contrastiveStep } from '../../../ml/training/contrastive-step.js';
import { ContrastiveEncoder } from '../../../ml/model/contrastive-encoder.js';
import { withoutModalitySpecificParts, type EncoderConfig } from '../../../ml/model/model-config.js';
import { gradientsByParameterName } from '../../../ml/model/parameter-store.js';
import { AdamW } from '../../../ml/training/adamw.js';
import { missingOutsideTool, swiftShaderDriver } from '../../support/outside-tools.js';

const missing = missingOutsideTool('the WebGPU backend tests (test/ml/backends/webgpu.test.ts)', 'softwareGpu');

const tiny: EncoderConfig = {
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

/** The first step's gradients, then three steps' losses and the weights after them, all read back to the host. */
async function threeSteps(backend: string, overrides: Partial<EncoderConfig>) {
  await tf.setBackend(backend);
  const model = new ContrastiveEncoder({ ...tiny, ...overrides }, 3);
  const optimizer = new AdamW(model.store.trainable(), { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.1 });
  const patches = tf.tensor3d(
    Float32Array.from({ length: 4 * 16 * 64 }, (_, index) => Math.sin(index * 0.013) * Math.cos(index * 0.0007)),
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
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  const bufferCounts: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push((await contrastiveStep(model, optimizer, patches, texts, 1e-3, 1)).loss);
    tensorCounts.push(tf.memory().numTensors);
    if (backend === 'webgpu') bufferCounts.push((tf.backend() as WebGPUBackend).bufferManager.getNumUsedBuffers());
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, variable] of model.store.variables) weights.set(name, (await variable.data()) as Float32Array);
  tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  optimizer.dispose();
  model.dispose();
  return { gradients, losses, weights, tensorCounts, bufferCounts };
}

function largestDifference(left: Map<string, Float32Array>, right: Map<string, Float32Array>): number {
  expect([...left.keys()]).toEqual([...right.keys()]);
  let largest = 0;
  for (const [name, values] of left) {
    const other = right.get(name)!;
    for (let index = 0; index < values.length; index++)
      largest = Math.max(largest, Math.abs(values[index]! - other[index]!));
  }
  return largest;
}

describe.skipIf(missing !== null)('the WebGPU backend on a software GPU (SwiftShader)', () => {
  const driverBefore = process.env.VK_ICD_FILENAMES;
  beforeAll(() => {
    process.env.VK_ICD_FILENAMES = swiftShaderDriver;
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    stopWebGpu();
    if (driverBefore === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = driverBefore;
  });

  it('passes over a software adapter unless asked for by name, and names the adapter it takes', async () => {
    await expect(startWebGpu(false)).rejects.toThrow(/^only a software adapter, google swiftshader/);
    expect('gpu' in globalThis.navigator).toBe(false);
    const adapter = await startWebGpu(true);
    expect(adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true });
    expect(adapter.maxBufferSize).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('webgpu');
    expect(tf.env().getBool('WEBGPU_CPU_FORWARD')).toBe(false);
  });

  const architectures: Record<string, Partial<EncoderConfig>> = {
    'the shared encoder': {},
    'the separate (CLIP) baseline': { architecture: 'separate' },
    'MS-CLIP (per-modality norms, convolutional stem, parallel branch)': {
      sharedBlockParts: { attention: true, mlp: true, layerNorms: false },
      imageStem: 'convolutional',
      parallelBranchLayers: [1, 2, 3],
    },
  };
  for (const [name, overrides] of Object.entries(architectures))
    it(`trains ${name} as the cpu backend does: gradients, losses and weights within 1e-4, nothing leaked`, async () => {
      await startWebGpu(true);
      const reference = await threeSteps('cpu', overrides);
      const gpu = await threeSteps('webgpu', overrides);
      expect(largestDifference(gpu.gradients, reference.gradients)).toBeLessThan(1e-4);
      gpu.losses.forEach((loss, index) => expect(Math.abs(loss - reference.losses[index]!)).toBeLessThan(1e-4));
      expect(largestDifference(gpu.weights, reference.weights)).toBeLessThan(1e-4);
      expect(new Set(gpu.tensorCounts).size).toBe(1);
      expect(new Set(gpu.bufferCounts).size).toBe(1);
      // SwiftShader compiles and runs every shader on the CPU: about a minute here, more beside other tests.
    }, 300_000);

  // Last: it leaves the device unusable, as a real out-of-memory error would.
  it('reports a tensor larger than the GPU allows as out of memory, where tfjs alone would compute on with garbage', async () => {
    const reasons: string[] = [];
    onGpuFailure((reason) => reasons.push(reason));
    const adapter = await startWebGpu(true);
    const tooLarge = tf.zeros([Math.ceil(adapter.maxBufferSize / 4) + 1024]);
    const sum = tooLarge.sum();
    await sum.data();
    tf.dispose([tooLarge, sum]);
    await expect.poll(() => reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^the GPU ran out of memory \(Buffer size \(\d+\) exceeds the max buffer size limit/);
  }, 120_000);
});
