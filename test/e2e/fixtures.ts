import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { pseudonymKeyFile } from '../../main/core/library/pseudonymiser.js';
import { demoExport } from '../support/demo-export.js';
import { missingOutsideTool } from '../support/outside-tools.js';
import { startServeProcess, waitUntil, type ServeProcess } from '../support/serve-process.js';
import { temporaryLibrary } from '../support/temporary-library.js';

export const screenshotDirectory = 'test-results/screenshots';

const missingBrowser = missingOutsideTool('the UI tests (test/e2e)', 'chromium');

/**
 * A real `unisight serve` per test, on its own fresh library; pages fail the test on any console error. Without
 * Chromium every test is skipped (an automatic fixture runs before the browser is launched).
 */
export const test = base.extend<{ browserPresent: void; consoleErrors: string[]; server: ServeProcess }>({
  browserPresent: [
    async ({}, use, testInfo) => {
      testInfo.skip(missingBrowser !== null, missingBrowser ?? '');
      await use();
    },
    { auto: true },
  ],
  server: [
    async ({}, use) => {
      const library = temporaryLibrary();
      // Splits go by the keyed hash of each patient's pseudonym: a fixed key gives these small libraries the same
      // patient split on every run (a random one can leave a test split without a class, and the run page without
      // the image probe of that task).
      fs.writeFileSync(path.join(library.path, pseudonymKeyFile), 'a5'.repeat(32), { mode: 0o600 });
      const server = await startServeProcess(library.path);
      await use(server);
      await server.stop();
      library.remove();
    },
    { timeout: 60_000 },
  ],
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await use(errors);
    expect(errors, 'console errors (CSP violations included)').toEqual([]);
  },
});

export async function openApp(page: Page, server: ServeProcess): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('connection')).toHaveText(/connected/);
}

export { expect };

/** Imports a generated export of `studies` and pretrains a small encoder on it through the API (seconds). */
export async function importAndPretrain(server: ServeProcess, studies: number): Promise<void> {
  const finished = (jobId: string) =>
    waitUntil(async () => {
      const job = (await server.call<{ state: string; error: string | null }>('jobs.get', { jobId })).body.result!;
      return job.state === 'queued' || job.state === 'running' ? null : job;
    }, 240_000);
  const imported = await server.call<{ id: string }>('import.start', { folder: demoExport(studies) });
  expect((await finished(imported.body.result!.id)).state).toBe('succeeded');
  const pretrained = await server.call<{ job: { id: string } }>('training.start', {
    name: 'small encoder',
    options: { encoder: { width: 32, imageSize: 32 }, epochs: 3, batchSize: 8 },
  });
  const pretraining = await finished(pretrained.body.result!.job.id);
  expect(pretraining.state, pretraining.error ?? '').toBe('succeeded');
}
