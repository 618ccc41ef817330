import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoExport } from '../support/demo-export.js';
import { waitUntil } from '../support/serve-process.js';
import { expect, expectFormsIntact, openApp, screenshotDirectory, test } from './fixtures.js';

test('starts a cpu-fast run from the Train page, watches the charts, cancels, resumes and sees it finish', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  const imported = await server.call<{ id: string }>('import.start', { folder: demoExport(50) });
  await waitUntil(async () => {
    const job = (await server.call<{ state: string }>('jobs.get', { jobId: imported.body.result!.id })).body.result!;
    return job.state === 'succeeded';
  }, 120_000);

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Train' }).click();
  const form = page.getByRole('form', { name: 'New pretraining run' });
  await expect(form.getByTestId('train-preset')).toHaveValue('cpu-fast');
  await expect(form).toContainText('laptop CPU');
  // A scaled-down cpu-fast so the run takes seconds; every part of the pipeline is the real one.
  await form.getByTestId('train-epochs').fill('30');
  await form.getByLabel('Batch size').fill('8');
  await form.getByText('Model settings (override the preset)').click();
  await form.getByTestId('train-width').fill('32');
  await form.getByTestId('train-layers').fill('2');
  await form.getByTestId('train-image-size').fill('32');
  // MS-CLIP's per-modality LayerNorms, chosen on the page, reach the run's model settings.
  await form.getByTestId('train-shared-norms').selectOption('per-modality');
  await expectFormsIntact(page);
  const parameters = page.getByTestId('train-parameters');
  // The size shown is the most the model as set can have: the tokenizer the reports give may be smaller.
  await expect(parameters).toContainText(/At most [\d.]+ k parameters as set \(the preset: 368\.7 k\); fewer when/);
  const parametersAsSet = Number((await parameters.textContent())!.match(/At most ([\d.]+) k parameters/)![1]) * 1000;
  await page.screenshot({ path: path.join(screenshotDirectory, 'train-form.png'), fullPage: true });
  await form.getByLabel('Checkpoint every (steps)').fill('4');
  await form.getByLabel('Name (optional)').fill('e2e run');
  await form.getByTestId('train-start').click();

  const detail = page.getByTestId('run-detail');
  await expect(detail.getByRole('heading', { name: 'e2e run' })).toBeInViewport();
  await expect(detail.getByTestId('run-state')).toHaveText('running', { timeout: 60_000 });
  await expect(detail.getByTestId('run-backend')).toHaveText(/wasm|cpu|tensorflow/);
  const lossChart = detail.getByTestId('chart-loss');
  await expect
    .poll(async () => Number(await lossChart.getAttribute('data-points')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  await expect(lossChart.locator('canvas')).toBeVisible();
  await expect(detail.getByTestId('run-throughput')).toContainText('pairs/s');
  await page.screenshot({ path: path.join(screenshotDirectory, 'train-running.png'), fullPage: true });

  await detail.getByTestId('run-cancel').click();
  await expect(detail.getByTestId('run-state')).toHaveText('cancelled', { timeout: 60_000 });
  const stepText = (await detail.getByTestId('run-step').textContent())!;
  const [cancelledAt, total] = stepText.match(/\d+/g)!.map(Number);
  expect(cancelledAt).toBeLessThan(total!);

  await detail.getByTestId('run-resume').click();
  await expect(detail.getByTestId('run-state')).toHaveText('succeeded', { timeout: 240_000 });
  await expect(detail.getByTestId('run-step')).toContainText(`${total} / ${total}`);
  await expect
    .poll(async () => Number(await detail.getByTestId('chart-recall').getAttribute('data-points')))
    .toBeGreaterThanOrEqual(30);
  await expect(detail.getByTestId('run-test-metrics')).toContainText('chance');
  // Recall of the reports of each finding apart: normal films' reports cannot tell one normal film from another.
  await expect(detail.getByTestId('run-test-metrics')).toContainText(/reports of abnormal \(\d+\)/);
  // A plain verdict on the test split beside the figures.
  await expect(detail.getByTestId('run-verdict')).toContainText(
    /(Clearly better than chance|has not learned to match text to images)[\s\S]*Recall@10 \d\.\d\d against chance \d\.\d\d/,
  );
  // The image-side probe on the library's manifest labels, with intervals.
  const probe = detail.getByTestId('run-image-probe');
  await expect(probe).toContainText('abnormal');
  await expect(probe).toContainText(/AUROC, 1% of labels/);
  await expect(probe).toContainText(/\[\d\.\d{3}, \d\.\d{3}\]/);
  const runs = (
    await server.call<
      Array<{ name: string; parameterCount: number | null; encoder: { sharedBlockParts: Record<string, boolean> } }>
    >('training.runs', {})
  ).body.result!;
  // The form shows thousands to one decimal: ±50.
  expect(runs.find((run) => run.name === 'e2e run')!.parameterCount!).toBeLessThanOrEqual(parametersAsSet + 50);
  expect(runs.find((run) => run.name === 'e2e run')!.encoder.sharedBlockParts).toEqual({
    attention: true,
    mlp: true,
    layerNorms: false,
  });
  await expect(page.getByTestId('runs-table')).toContainText('e2e run');
  await page.getByRole('checkbox', { name: 'compare e2e run' }).check();
  await expect(page.getByTestId('chart-compare')).toBeVisible();
  await page.screenshot({ path: path.join(screenshotDirectory, 'train-finished.png'), fullPage: true });
});

test('exports a training bundle for a cluster from the Train page: what leaves is shown before anything is written', async ({
  page,
  server,
}) => {
  test.setTimeout(180_000);
  const imported = await server.call<{ id: string }>('import.start', { folder: demoExport(50) });
  await waitUntil(async () => {
    const job = (await server.call<{ state: string }>('jobs.get', { jobId: imported.body.result!.id })).body.result!;
    return job.state === 'succeeded';
  }, 120_000);
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-bundle-')), 'bundle');

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Train' }).click();
  const form = page.getByRole('form', { name: 'New pretraining run' });
  await form.getByLabel('Batch size').fill('8');
  const exporter = page.getByTestId('cluster-export');
  await exporter.getByText('Train on a cluster instead').click();
  await exporter.getByLabel('Bundle folder (new or empty)').fill(bundle);
  await exporter.getByRole('button', { name: 'Show what leaves' }).click();
  const manifest = exporter.getByTestId('bundle-manifest');
  await expect(manifest).toContainText(/report text of \d+ image–report pairs/);
  await expect(manifest).toContainText('8-bit grey pixels');
  expect(fs.existsSync(bundle)).toBe(false);
  await expectFormsIntact(page);
  await page.screenshot({ path: path.join(screenshotDirectory, 'train-cluster-export.png'), fullPage: true });

  await exporter.getByTestId('bundle-write').click();
  await expect(exporter.getByTestId('bundle-written')).toContainText('torchrun', { timeout: 60_000 });
  const written = JSON.parse(fs.readFileSync(path.join(bundle, 'bundle.json'), 'utf8'));
  expect(written.training.batchSize).toBe(8);
  expect(fs.existsSync(path.join(bundle, 'train-000000.tar'))).toBe(true);
  fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
});
