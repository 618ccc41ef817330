import path from 'node:path';
import { expect, openApp, screenshotDirectory, test } from './fixtures.js';

const sections = [
  { link: 'Library', heading: 'Library' },
  { link: 'Import', heading: 'Import' },
  { link: 'Train', heading: 'Train' },
  { link: 'Fine-tune', heading: 'Fine-tune' },
  { link: 'Search', heading: 'Search' },
  { link: 'Runs', heading: 'Runs' },
];

test('opens over server mode, shows the backend, and reaches every section by mouse and keyboard', async ({
  page,
  server,
  consoleErrors,
}) => {
  await openApp(page, server);
  expect(new URL(page.url()).searchParams.get('token')).toBeNull();
  await expect(page.getByTestId('connection')).toHaveText('Browser mode · connected');
  await expect(page.getByTestId('backend')).toHaveText(/ML backend: wasm/);

  const navigation = page.getByRole('navigation', { name: 'Sections' });
  for (const section of sections) {
    await navigation.getByRole('link', { name: section.link }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(section.heading);
    await expect(navigation.getByRole('link', { name: section.link })).toHaveAttribute('aria-current', 'page');
  }
  await page.keyboard.press('Control+1');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Library');
  await expect(page.getByText('No studies in this library yet')).toBeVisible();
  await page.keyboard.press('Control+3');
  await expect(page.getByTestId('train-backend')).toHaveText(/^wasm(-openblas|-threaded)?$/);
  await page.screenshot({ path: path.join(screenshotDirectory, 'train-engine.png') });
  expect(consoleErrors).toEqual([]);
});

test('runs an engine self-check to completion with a moving progress bar, and cancels another mid-way', async ({
  page,
  server,
}) => {
  await openApp(page, server);
  await page.getByRole('link', { name: 'Runs' }).click();
  await page.getByText('Engine self-check').click();

  await page.getByLabel('Iterations').fill('400');
  await page.getByLabel('Matrix size').fill('384');
  await page.getByRole('button', { name: 'Run self-check' }).click();

  const trayProgress = page.getByRole('region', { name: 'Running jobs' }).getByRole('progressbar');
  await expect(trayProgress).toBeVisible();
  const seen = new Set<number>();
  while (seen.size < 3) {
    const value = await trayProgress.evaluate((element) => (element as HTMLProgressElement).value).catch(() => null);
    if (value === null) break;
    if (value > 0 && value < 400) seen.add(value);
    await page.waitForTimeout(100);
  }
  expect(seen.size, 'distinct intermediate progress values').toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: path.join(screenshotDirectory, 'selfcheck-running.png') });

  const history = page.locator('table.jobs tbody tr').first();
  await expect(history.getByTestId('job-state')).toHaveText('succeeded', { timeout: 90_000 });
  await expect(history.locator('progress')).toHaveJSProperty('value', 400);
  await expect(history).toContainText(/wasm(-openblas|-threaded)?: [\d.]+ ms per matMul, [\d.]+ GFLOP\/s/);

  await page.getByLabel('Iterations').fill('100000');
  await page.getByLabel('Matrix size').fill('256');
  await page.getByRole('button', { name: 'Run self-check' }).click();
  const running = page.locator('table.jobs tbody tr').first();
  await expect(running.getByTestId('job-state')).toHaveText('running');
  await expect
    .poll(() => running.locator('progress').evaluate((element) => (element as HTMLProgressElement).value))
    .toBeGreaterThan(20);
  await page.getByRole('region', { name: 'Running jobs' }).getByRole('button', { name: 'Cancel' }).click();
  await expect(running.getByTestId('job-state')).toHaveText('cancelled');
  const stopped = await running.locator('progress').evaluate((element) => (element as HTMLProgressElement).value);
  expect(stopped).toBeGreaterThan(20);
  expect(stopped).toBeLessThan(100_000);
  await expect(page.getByRole('region', { name: 'Running jobs' })).toContainText('Nothing running.');
  await page.screenshot({ path: path.join(screenshotDirectory, 'runs.png'), fullPage: true });

  const jobs = (await server.call<Array<{ state: string }>>('jobs.list')).body.result!;
  expect(jobs.slice(0, 2).map((job) => job.state)).toEqual(['cancelled', 'succeeded']);
});

test('stays usable at the smallest supported window size', async ({ page, server }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openApp(page, server);
  for (const section of sections) {
    const link = page.getByRole('link', { name: section.link });
    await expect(link).toBeInViewport();
  }
  await expect(page.getByTestId('library-path')).toBeInViewport();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  expect(overflow).toBe(false);
  await page.screenshot({ path: path.join(screenshotDirectory, 'library-1024x700.png') });
});
