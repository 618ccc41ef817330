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

/**
 * The form system holds on this page: every checkbox and radio button sits at the start of its label's first line
 * (not floated away from its text), and every select is wide enough for the option it shows.
 */
export async function expectFormsIntact(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    };
    for (const label of document.querySelectorAll('label')) {
      const input = label.querySelector(':scope > input[type="checkbox"], :scope > input[type="radio"]');
      if (!input || !visible(label)) continue;
      const labelBox = label.getBoundingClientRect();
      const inputBox = input.getBoundingClientRect();
      if (inputBox.left - labelBox.left > 4 || inputBox.top - labelBox.top > 8)
        found.push(
          `"${label.textContent!.trim().slice(0, 40)}": its ${input.getAttribute('type')} is away from its text`,
        );
    }
    for (const control of document.querySelectorAll(
      'label > select, label > input:not([type="checkbox"], [type="radio"])',
    )) {
      const field = control.parentElement!;
      if (visible(control) && control.getBoundingClientRect().right > field.getBoundingClientRect().right + 1)
        found.push(`"${field.textContent!.trim().slice(0, 40)}": its control runs past its field`);
    }
    const context = document.createElement('canvas').getContext('2d')!;
    for (const select of document.querySelectorAll('select')) {
      if (!visible(select) || select.selectedIndex < 0) continue;
      const style = getComputedStyle(select);
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = select.options[select.selectedIndex]!.text;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
      if (context.measureText(text).width > room + 1) found.push(`select "${text}" is cut (${room.toFixed(0)} px)`);
    }
    return found;
  });
  expect(problems, 'form controls').toEqual([]);
}
