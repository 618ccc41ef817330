// `npm test`: every check, in order (format, lint, types, unit and integration tests, UI tests), stopping at the
// first that fails; then the tests skipped because an outside tool is missing, and why (test/support/outside-tools.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const skippedLog = path.join(root, 'test-results', 'skipped-tests.log');
const binary = (name) => path.join(root, 'node_modules', '.bin', name);

const steps = [
  ['formatting (Prettier)', binary('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['lint (ESLint)', binary('eslint'), ['--max-warnings', '0', '.']],
  ['types (tsc, svelte-check)', 'npm', ['run', '--silent', 'typecheck']],
  ['unit and integration tests (vitest)', binary('vitest'), ['run']],
  ['UI tests (Playwright)', binary('playwright'), ['test']],
];

fs.rmSync(skippedLog, { force: true });
let failed = null;
for (const [name, command, args] of steps) {
  console.log(`\nnpm test: ${name}`);
  // Through a shell on Windows, where npm and node_modules/.bin hold .cmd files.
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) {
    failed = `${name} failed (${run.error ? run.error.message : `exit ${run.status ?? run.signal}`})`;
    break;
  }
}

const skipped = fs.existsSync(skippedLog)
  ? [...new Set(fs.readFileSync(skippedLog, 'utf8').split('\n').filter(Boolean))]
  : [];
console.log(
  `\nnpm test: ${skipped.length === 0 ? 'nothing was skipped for want of an outside tool' : 'skipped for want of an outside tool:'}`,
);
for (const line of skipped) console.log(`  - ${line}`);
if (failed) {
  console.error(`npm test: ${failed}`);
  process.exit(1);
}
console.log('npm test: every step passed');
