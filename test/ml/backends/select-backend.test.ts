import fs from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseRequestedBackend, selectBackend } from '../../../ml/backends/select-backend.js';
import { wasmBlasAddonPath } from '../../../ml/backends/wasm-blas-matmul.js';
import { backendNames } from '../../../common/contract/index.js';

describe('backend selection', () => {
  it('tries every backend in order of preference and records a reason for each', async () => {
    const report = await selectBackend(null);
    expect(report.attempts.map((attempt) => attempt.backend)).toEqual([...backendNames]);
    const chosen = report.attempts.filter((attempt) => attempt.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.backend).toBe(report.backend);
    const chosenIndex = report.attempts.indexOf(chosen[0]!);
    for (const skipped of report.attempts.slice(0, chosenIndex)) expect(skipped.reason).not.toMatch(/^not tried/);
    for (const later of report.attempts.slice(chosenIndex + 1)) expect(later.reason).toMatch(/^not tried/);
    expect(tf.getBackend()).toBe(
      report.backend === 'tensorflow-gpu' ? 'tensorflow' : report.backend.replace(/-(threaded|openblas)$/, ''),
    );
  });

  it('on a machine without native TensorFlow, takes OpenBLAS when built, else every core through the threaded build', async () => {
    const report = await selectBackend(null);
    if (report.backend.startsWith('tensorflow')) return;
    const cores = os.availableParallelism();
    const expected = fs.existsSync(wasmBlasAddonPath) ? 'wasm-openblas' : cores >= 2 ? 'wasm-threaded' : 'wasm';
    expect(report.backend).toBe(expected);
    expect(report.threads).toBe(expected === 'wasm' ? 1 : cores);
    const product = tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.fill([4, 2], 0.5)).dataSync());
    expect([...product]).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('forces the requested backend and says why the others were skipped', async () => {
    const report = await selectBackend('cpu');
    expect(report.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    for (const attempt of report.attempts.filter((entry) => entry.backend !== 'cpu')) {
      expect(attempt.reason).toBe('skipped: UNISIGHT_BACKEND=cpu was requested');
    }
  });

  it('rejects an unknown backend name clearly', () => {
    expect(parseRequestedBackend(undefined)).toBeNull();
    expect(parseRequestedBackend('wasm')).toBe('wasm');
    expect(() => parseRequestedBackend('cuda')).toThrow(/not a backend; choose one of/);
  });
});
