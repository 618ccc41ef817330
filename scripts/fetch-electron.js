// Electron >= 42 no longer downloads its binary at install time. Try once, and never fail the install:
// offline machines run Unisight in browser mode (see README).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let installer;
try {
  installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  console.log('unisight: electron package not installed; desktop mode unavailable, browser mode works.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [installer], { stdio: 'pipe', timeout: 120_000, encoding: 'utf8' });
if (result.status === 0) {
  console.log('unisight: Electron binary is available.');
} else {
  const lines = `${result.stderr ?? ''}${result.stdout ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const reason = lines.find((line) => /error/i.test(line) && !line.startsWith('at ')) ?? lines[0] ?? 'unknown error';
  console.log(
    `unisight: could not fetch the Electron binary (${reason.slice(0, 160)}); desktop mode unavailable, browser mode works.`,
  );
}
