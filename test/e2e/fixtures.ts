import { test as base, expect, type Page } from '@playwright/test';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';
import { temporaryLibrary } from '../support/temporary-library.js';

export const screenshotDirectory = 'test-results/screenshots';

/** A real `unisight serve` per test, on its own fresh library; pages fail the test on any console error. */
export const test = base.extend<{ consoleErrors: string[]; server: ServeProcess }>({
  server: [
    async ({}, use) => {
      const library = temporaryLibrary();
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
