import { _electron as electron } from '@playwright/test';
import { locateElectronBinary } from '../../main/launch/electron-binary.js';
import { skipUnless } from '../support/outside-tools.js';
import { projectRoot } from '../support/serve-process.js';
import { temporaryLibrary } from '../support/temporary-library.js';
import { expect, test } from './fixtures.js';

const binary = locateElectronBinary();
const missing = skipUnless(
  'the desktop app test (electron.spec.ts)',
  {
    description: 'a usable Electron binary with a display',
    remedy: 'npm install where it can download Electron, and a display (xvfb-run)',
    mayBeMissingInCi: true,
  },
  binary.available ? null : binary.reason,
);

test.describe('desktop app (Electron)', () => {
  test.skip(missing !== null, missing ?? '');

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
      // The preload exposes exactly a call function and a subscription; a name outside the contract is refused by main.
      expect(
        await window.evaluate(() => Object.keys((window as unknown as { unisight: object }).unisight).sort()),
      ).toEqual(['call', 'subscribe']);
      const refused = await window.evaluate(async () => {
        const bridge = (window as unknown as { unisight: { call(method: string, input: unknown): Promise<unknown> } })
          .unisight;
        return bridge.call('not.aMethod', {}).then(
          () => 'answered',
          (error: unknown) => String(error),
        );
      });
      expect(refused).toMatch(/No handler registered/);
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
