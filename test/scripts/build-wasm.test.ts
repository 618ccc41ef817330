import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the committed WebAssembly kernels', () => {
  it('are what their AssemblyScript sources compile to (regenerated with `npm run build:wasm`)', () => {
    const check = spawnSync(process.execPath, ['scripts/build-wasm.js', '--check'], { encoding: 'utf8' });
    expect(check.stdout).toMatch(/sgemm-binaries\.ts matches/);
    expect(check.stdout).toMatch(/render-binary\.ts matches/);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
