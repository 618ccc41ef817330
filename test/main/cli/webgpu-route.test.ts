import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pseudonymKeyFile } from '../../../main/core/library/pseudonymiser.js';
import { readTensorBundle } from '../../../ml/model/tensor-bundle.js';
import { demoExport, runCli } from '../../support/demo-export.js';
import { missingOutsideTool, softwareGpuEnvironment } from '../../support/outside-tools.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

const missing = missingOutsideTool('the WebGPU engine tests (test/main/cli/webgpu-route.test.ts)', 'softwareGpu');

/**
 * The 50-study export imported with a fixed pseudonym key. Both backends train in this one library: another import
 * could number the images differently (the workers finish in any order), and the batches follow the catalog's order.
 */
function importedLibrary(library: string): string {
  fs.mkdirSync(library, { recursive: true });
  fs.writeFileSync(path.join(library, pseudonymKeyFile), 'b7'.repeat(32), { mode: 0o600 });
  const run = runCli(['import', demoExport(50), '--library', library, '--json']);
  expect(run.status, run.stderr).toBe(0);
  return library;
}

/** A command line: the command, each option as `--name value`, and `--json`. */
function flags(command: string, options: Record<string, string | number>): string[] {
  return [command, ...Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)]), '--json'];
}

/**
 * A tiny pretraining and a TD-Calib + linear-probe fine-tuning of the model it made (so TD-Calib runs, and is not
 * reused from the other backend's run) on one backend; what each job reported.
 */
function trainOn(backend: 'cpu' | 'webgpu', library: string) {
  const environment = { ...softwareGpuEnvironment(), UNISIGHT_BACKEND: backend };
  const pretraining = runCli(
    flags('pretrain', { library, width: 16, layers: 1, 'image-size': 32, 'patch-size': 8, epochs: 1, 'batch-size': 8 }),
    environment,
  );
  expect(pretraining.status, pretraining.stderr).toBe(0);
  const pretrained = pretraining.json().run;
  const finetuning = runCli(
    flags('finetune', {
      library,
      model: pretrained.modelId,
      task: 'abnormal',
      fraction: 0.1,
      method: 'tdcalib+linear',
      'td-calib-epochs': 1,
    }),
    environment,
  );
  expect(finetuning.status, finetuning.stderr).toBe(0);
  const finetuned = finetuning.json().run;
  return {
    pretrained,
    finetuned,
    weights: readTensorBundle(path.join(library, 'runs', pretrained.id, 'model.unisight')).tensors,
  };
}

type ImageProbe = { testStudies: number; testPositives: number; results: { auroc: { estimate: number } }[] }[];

/**
 * The same probes as on the cpu backend. The weights agree within 1e-4, but this tiny model's test scores lie close
 * together, so that difference can swap the order of one positive and one negative study in a draw: the AUROC
 * estimate may move by that one pair's share, never more. What was drawn and counted must match exactly.
 */
function expectSameProbe(gpu: ImageProbe, cpu: ImageProbe) {
  const withoutEstimates = (probes: ImageProbe) =>
    probes.map((probe) => ({ ...probe, results: probe.results.map(({ auroc: _, ...rest }) => rest) }));
  expect(withoutEstimates(gpu)).toEqual(withoutEstimates(cpu));
  cpu.forEach((probe, index) => {
    const onePair = 1 / (probe.testPositives * (probe.testStudies - probe.testPositives));
    probe.results.forEach((result, row) =>
      expect(Math.abs(gpu[index]!.results[row]!.auroc.estimate - result.auroc.estimate)).toBeLessThanOrEqual(
        onePair + 1e-9,
      ),
    );
  });
}

describe.skipIf(missing !== null)('the engine on WebGPU (SwiftShader), end to end through the CLI', () => {
  const workspace = temporaryLibrary();
  afterAll(() => workspace.remove());

  it('passes the self-check when asked for by name', () => {
    const run = runCli(['selfcheck', '--library', workspace.path, '--json'], {
      ...softwareGpuEnvironment(),
      UNISIGHT_BACKEND: 'webgpu',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.json().job).toMatchObject({ state: 'succeeded', result: { backend: 'webgpu', leakedTensors: 0 } });
  });

  it('pretrains and fine-tunes as the cpu backend does: weights within 1e-4, the same metrics', () => {
    const library = importedLibrary(path.join(workspace.path, 'library'));
    const reference = trainOn('cpu', library);
    const gpu = trainOn('webgpu', library);
    expect(gpu.pretrained.backend).toBe('webgpu');
    expect(gpu.finetuned.description.backend).toBe('webgpu');
    expect(gpu.finetuned.description.calibration).toBe('computed');
    expect([...gpu.weights.keys()]).toEqual([...reference.weights.keys()]);
    let largest = 0;
    for (const [name, tensor] of gpu.weights) {
      const other = reference.weights.get(name)!.values;
      tensor.values.forEach((value, index) => (largest = Math.max(largest, Math.abs(value - other[index]!))));
    }
    expect(largest).toBeLessThan(1e-4);
    expect(gpu.pretrained.test).toEqual(reference.pretrained.test);
    expectSameProbe(gpu.pretrained.imageProbe, reference.pretrained.imageProbe);
    expect(gpu.finetuned.description.budgetExamples).toEqual(reference.finetuned.description.budgetExamples);
    for (const [name, metric] of Object.entries(gpu.finetuned.test.metrics as Record<string, { estimate: number }>))
      expect(metric.estimate, name).toBeCloseTo(reference.finetuned.test.metrics[name].estimate, 4);
  }, 600_000);
});
