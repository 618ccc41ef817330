import { spawnSync } from 'node:child_process';
import { projectRoot } from './serve-process.js';

/**
 * Global setup of vitest and Playwright: the tests run the CLI, the server and the engine from `dist/`, so any run
 * of them, whole or partial, first rebuilds it rather than testing an edit against a stale bundle.
 */
export default function buildBeforeTests(): void {
  const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: projectRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building dist/ failed (exit ${build.status ?? build.signal}); see above`);
}
