import { _electron as electron } from '@playwright/test';
import { locateElectronBinary } from '../../main/launch/electron-binary.js';
import { projectRoot } from '../support/serve-process.js';
import { temporaryLibrary } from '../support/temporary-library.js';
import { expect, test } from './fixtures.js';

const binary = locateElectronBinary();
if (!binary.available) console.log(`Electron e2e skipped: ${binary.reason}.`);

test.describe('desktop app (Electron)', () => {
  test.skip(!binary.available, `Electron e2e skipped: ${binary.available ? '' : binary.reason}`);

  test('opens a sandboxed, isolated window whose renderer reaches the core only through the preload', async () => {
    const library = temporaryLibrary();
    const app = await electron.launch({
      executablePath: binary.available ? binary.path : undefined,
      args: [projectRoot],
      env: { ...process.env, UNISIGHT_LIBRARY: library.path },
    });
    try {
      const window = await app.firstWindow();
      await expect(window.getByTestId('connection')).toHaveText('Desktop · connected');
      const preferences = await app.evaluate(({ BrowserWindow }) => {
        const contents = BrowserWindow.getAllWindows()[0]!.webContents;
        return (contents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
      });
      expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(
        await window.evaluate(() =>
          Object.keys((window as unknown as { unisight: { calls: object } }).unisight.calls).sort(),
        ),
      ).toContain('app.info');
      await window.getByRole('link', { name: 'Runs' }).click();
      await window.getByLabel('Iterations').fill('20');
      await window.getByRole('button', { name: 'Run self-check' }).click();
      await expect(window.locator('table.jobs tbody tr').first().getByTestId('job-state')).toHaveText('succeeded');
    } finally {
      await app.close();
      library.remove();
    }
  });
});
