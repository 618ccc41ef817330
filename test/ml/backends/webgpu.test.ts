import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onGpuFailure, startWebGpu, stopWebGpu } from '../../../ml/backends/webgpu-device.js';
import type { EncoderConfig } from '../../../common/encoder-config.js';
import { missingOutsideTool, swiftShaderDriver } from '../../support/outside-tools.js';
import { largestDifference, threeTinySteps } from '../../support/tiny-training.js';

const missing = missingOutsideTool('the WebGPU backend tests (test/ml/backends/webgpu.test.ts)', 'softwareGpu');

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
      const reference = await threeTinySteps('cpu', overrides);
      const gpu = await threeTinySteps('webgpu', overrides);
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
