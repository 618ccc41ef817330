import fs from 'node:fs';
import path from 'node:path';
import { expect, expectFormsIntact, importAndPretrain, openApp, screenshotDirectory, test } from './fixtures.js';

test('walks the fine-tuning wizard at 1% labels and sees results with ROC and confusion matrix', async ({
  page,
  server,
}) => {
  test.setTimeout(420_000);
  await importAndPretrain(server, 120);

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Fine-tune' }).click();
  const task = page.getByTestId('wizard-task');
  await expect(task.getByTestId('wizard-task-select')).toHaveValue('abnormal');
  await expect(task).toContainText(/Expert labels .*\d+ positive/);
  await expectFormsIntact(page);
  await task.getByTestId('wizard-next').click();

  const budget = page.getByTestId('wizard-budget');
  await expect(budget.getByRole('radio', { name: '1% of the labelled training studies' })).toBeChecked();
  await expect(budget.getByTestId('wizard-budget-preview')).toContainText(/That is \d+ labelled studies/);
  // A budget with fewer than five studies of a class says it is too small to learn from.
  const [studies, positives] = (await budget.getByTestId('wizard-budget-preview').textContent())!
    .match(/That is (\d+) labelled studies \(\d+\s+images?; (\d+) positive\)/)!
    .slice(1)
    .map(Number);
  await expect(budget.getByTestId('wizard-budget-warning')).toHaveCount(
    Math.min(positives!, studies! - positives!) < 5 ? 1 : 0,
  );
  await expectFormsIntact(page);
  await budget.getByTestId('wizard-next').click();

  const method = page.getByTestId('wizard-method');
  await expect(method.getByRole('radio', { name: /TD-Calib \+ GM-Coord \(recommended\)/ })).toBeChecked();
  await expectFormsIntact(page);
  await page.screenshot({ path: path.join(screenshotDirectory, 'finetune-method.png'), fullPage: true });
  await method.getByTestId('wizard-start').click();

  const run = page.getByTestId('classifier-run');
  await expect(run.getByTestId('classifier-run-state')).toHaveText(/succeeded|failed/, { timeout: 300_000 });
  expect(
    await run.getByTestId('classifier-run-state').textContent(),
    (await run.getByRole('alert').allTextContents()).join(' '),
  ).toBe('succeeded');
  await expect(page.getByRole('list', { name: 'Fine-tuning steps' }).locator('[aria-current="step"]')).toHaveText(
    '5. Results',
  );
  await expect(run.getByTestId('classifier-test-metrics')).toContainText(/AUROC\s*\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
  await expect
    .poll(async () => Number(await run.getByTestId('roc-curve').getAttribute('data-points')))
    .toBeGreaterThanOrEqual(3);
  await expect(run.getByTestId('roc-curve').locator('polyline')).toBeVisible();
  await expect(run.getByTestId('confusion-matrix')).toContainText('predicted positive');
  await expect(run.getByTestId('roc-curve')).toHaveAttribute('data-ticks', '5');
  // The images the 1% budget drew, each with its label.
  const drawn = Number(
    (await run.getByTestId('classifier-run-labels').textContent())!.match(
      /\d+ of \d+ labelled training studies \((\d+) images\)/,
    )![1],
  );
  await run
    .getByTestId('budget-examples')
    .getByText(/labelled images it learned from/)
    .click();
  await expect(run.getByTestId('budget-examples').locator('li')).toHaveCount(drawn);
  await expect(run.getByTestId('budget-examples').locator('li').first()).toContainText(/positive|negative/);
  // The threshold moves and the matrix follows; a cell opens onto its images.
  const cellCount = async (truth: number, predicted: number) =>
    Number(await run.getByTestId(`confusion-cell-${truth}-${predicted}`).textContent());
  const testImages = Number(
    (await run.getByTestId('threshold-metrics').textContent())!.match(/\((\d+) test studies\)/)![1],
  );
  await run.getByTestId('confusion-threshold').fill('0');
  await expect(run.getByTestId('threshold-metrics')).toContainText('At 0.00: sensitivity 100.0%');
  expect((await cellCount(0, 1)) + (await cellCount(1, 1))).toBe(testImages);
  await run.getByTestId('confusion-threshold').fill('0.5');
  await run.getByTestId('confusion-cell-1-1').click();
  await expect(run.getByTestId('confusion-cell-images')).toContainText(
    `Truth positive, predicted positive: ${await cellCount(1, 1)} images`,
  );
  await run.screenshot({ path: path.join(screenshotDirectory, 'finetune-threshold.png') });
  await expect
    .poll(async () => Number(await run.getByTestId('chart-gm-coord').getAttribute('data-points')))
    .toBeGreaterThanOrEqual(60);
  await run.getByTestId('export-predictions').click();
  const download = page.waitForEvent('download');
  await run.getByTestId('export-predictions-link').click();
  expect((await download).suggestedFilename()).toMatch(/^predictions-abnormal-.*\.csv$/);
  await expect(page.getByTestId('label-efficiency-points')).toHaveText('1 measured point(s)');
  await page.screenshot({ path: path.join(screenshotDirectory, 'finetune-results.png'), fullPage: true });

  // The label-efficiency study queues only the budgets the method lacks, and plots all three on a log axis.
  await page.getByTestId('run-label-study').click();
  await expect(page.getByTestId('label-efficiency')).toContainText('Queued 10%, 100% (the others exist)');
  await expect(page.getByTestId('label-efficiency-points')).toHaveText('3 measured point(s)', { timeout: 300_000 });
  const efficiency = page.getByTestId('label-efficiency');
  await expect(page.getByTestId('chart-label-efficiency')).toHaveAttribute('data-x-ticks', '1% 10% 100%');
  await efficiency.screenshot({ path: path.join(screenshotDirectory, 'finetune-label-efficiency.png') });
  await page.getByTestId('run-label-study').click();
  await expect(efficiency).toContainText('This method already has runs at 1%, 10% and 100% of the labels.');

  // Runs as experiments: every run with its duration and headline figure; two side by side; exported.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
  const experiments = page.getByTestId('experiments');
  await expect(experiments.getByRole('row')).toHaveCount(1 + 4);
  await expect(experiments).toContainText(/test text→image Recall@10 \d\.\d\d against chance/);
  await expect(experiments).toContainText(/test AUROC \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] \(abnormal, 1%\)/);
  await page.getByRole('checkbox', { name: 'compare small encoder' }).check();
  await experiments.getByRole('checkbox').nth(1).check();
  const comparison = page.getByTestId('experiment-comparison');
  await expect(comparison).toContainText('duration');
  await expect(comparison.locator('td.differs').first()).toBeVisible();
  const exported = page.waitForEvent('download');
  await page.getByTestId('export-runs-csv').click();
  const csv = fs
    .readFileSync((await (await exported).path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv).toHaveLength(3);
  expect(csv[0]).toMatch(/^kind,id,name,state,created_at,duration_s,backend,/);
  await page.screenshot({ path: path.join(screenshotDirectory, 'runs-experiments.png'), fullPage: true });

  // The classifier's predictions filter the Library.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Library' }).click();
  await expect(page.getByTestId('study-total')).toHaveText('120 matching studies');
  await page.getByTestId('filter-classifier').selectOption({ label: 'abnormal: TD-Calib + GM-Coord, 1% labels' });
  await page.getByTestId('filter-minimum-score').fill('0.5');
  // Each card under the filter shows the score that let it through.
  await expect
    .poll(async () =>
      Number(
        (await page.getByTestId('study-prediction-score').first().textContent())?.match(
          /classifier score ([\d.]+)/,
        )?.[1] ?? -1,
      ),
    )
    .toBeGreaterThanOrEqual(0.5);
  await expect
    .poll(async () => Number((await page.getByTestId('study-total').textContent())!.match(/\d+/)![0]))
    .toBeLessThan(120);

  // Labelling by hand, from the keyboard, for a new task.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Fine-tune' }).click();
  await page.getByTestId('manual-task').fill('fracture');
  await page.getByTestId('open-labelling').click();
  const panel = page.getByTestId('labelling-panel');
  await expect(panel.getByTestId('labelling-status')).toContainText('Study 1 of 120');
  await expect(panel.getByTestId('labelling-report')).not.toBeEmpty();
  await page.keyboard.press('1');
  await expect(panel.getByTestId('labelling-status')).toContainText('Study 2 of 120');
  await page.keyboard.press('0');
  await page.keyboard.press('ArrowLeft');
  await expect(panel.getByTestId('labelling-current')).toHaveText('negative');
  await page.screenshot({ path: path.join(screenshotDirectory, 'finetune-labelling.png'), fullPage: true });
  const tasks = (
    await server.call<Array<{ task: string; expert: { positive: number; negative: number } }>>('finetune.tasks', {})
  ).body.result!;
  expect(tasks.find((candidate) => candidate.task === 'fracture')?.expert).toMatchObject({ positive: 1, negative: 1 });
});
