// `npm run screenshots`: copies the screenshots the UI tests take (test/e2e, into test-results/screenshots) to
// docs/screenshots, where the README shows them, so they are always the app as last tested. Run `npm run test:e2e`
// (or `npm test`) first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = path.join(root, 'test-results', 'screenshots');
const target = path.join(root, 'docs', 'screenshots');
/** The ones the README shows, in its order. */
const shown = [
  'import-summary.png',
  'library-study.png',
  'train-finished.png',
  'search-cohort-word-matches.png',
  'search-nonsense-query.png',
  'finetune-results.png',
  'finetune-label-efficiency.png',
  'finetune-threshold.png',
  'search-1024x700.png',
  'runs-experiments.png',
  'library-series.png',
  'import-manifest-override.png',
  'import-folder-browser.png',
  'search-help.png',
];

const missing = shown.filter((name) => !fs.existsSync(path.join(source, name)));
if (missing.length > 0) {
  console.error(`screenshots: missing ${missing.join(', ')} in ${source}; run npm run test:e2e first.`);
  process.exit(1);
}
fs.mkdirSync(target, { recursive: true });
for (const name of fs.readdirSync(target)) if (!shown.includes(name)) fs.rmSync(path.join(target, name));
for (const name of shown) fs.copyFileSync(path.join(source, name), path.join(target, name));
console.log(`screenshots: ${shown.length} copied to ${path.relative(root, target)}`);
