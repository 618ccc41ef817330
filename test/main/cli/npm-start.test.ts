import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { locateElectronBinary } from '../../../main/launch/electron-binary.js';
import { projectRoot } from '../../support/serve-process.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

const electron = locateElectronBinary();

// On a machine without the Electron binary (or without a display), `npm start` must explain in one line and fall
// back to browser mode, with no stack trace.
describe.skipIf(electron.available)('npm start without a usable Electron binary', () => {
  it('prints one explanation and serves browser mode', async () => {
    const library = temporaryLibrary();
    const child = spawn('npm', ['start', '--silent', '--', '--library', library.path], {
      cwd: projectRoot,
      env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const lines: string[] = [];
    readline.createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
    const url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        const match = /^Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${lines.join('\n')}`)));
    });
    const visit = await fetch(url, { redirect: 'manual' });
    expect(visit.status).toBe(303);
    const page = await fetch(new URL('/', url), {
      headers: { cookie: visit.headers.get('set-cookie')!.split(';')[0]! },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');

    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(lines[0]).toMatch(/^Desktop window unavailable: .+\. Opening browser mode instead\.$/);
    expect(lines.filter((line) => line.startsWith('Desktop window unavailable'))).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/\n\s+at |Error:/);
    library.remove();
  });
});
