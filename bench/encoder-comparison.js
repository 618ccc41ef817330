// `npm run bench:encoders -- --library DIR`: the shared encoder against the separate-encoder (CLIP) baseline at three
// training-set sizes on one imported library, each trained with `unisight pretrain --json` (same preset, split, seed
// and schedule), then a table of test Recall@K with chance. Figures belong in bench/RESULTS.md with date and command.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    library: { type: 'string' },
    sizes: { type: 'string', default: '370,740,1476' },
    preset: { type: 'string', default: 'cpu-fast' },
    epochs: { type: 'string' },
    'learning-rate': { type: 'string' },
  },
});
if (!values.library) {
  console.error(
    'usage: npm run bench:encoders -- --library DIR [--sizes 370,740,1476] [--preset cpu-fast] [--epochs N] [--learning-rate X]',
  );
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const sizes = values.sizes.split(',').map(Number);
const rows = [];

for (const size of sizes) {
  for (const architecture of ['shared', 'separate']) {
    const args = [
      path.join(root, 'bin', 'unisight.js'),
      'pretrain',
      '--library',
      values.library,
      '--preset',
      values.preset,
      '--architecture',
      architecture,
      '--training-images',
      String(size),
      '--name',
      `compare ${architecture} ${size}`,
      '--json',
    ];
    if (values.epochs) args.push('--epochs', values.epochs);
    if (values['learning-rate']) args.push('--learning-rate', values['learning-rate']);
    console.log(`${architecture}, ${size} training pairs…`);
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0) {
      console.error(
        `pretrain failed (${architecture}, ${size}):\n${result.stderr || result.stdout.split('\n').slice(-5).join('\n')}`,
      );
      process.exit(1);
    }
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1));
    rows.push({ architecture, size, outcome });
  }
}

const recall = (metrics, direction, k) => metrics[direction].recall[k].toFixed(3);
const multiple = (metrics, direction, k) => (metrics[direction].recall[k] / metrics[direction].chance[k]).toFixed(1);
console.log(
  '\n| architecture | training pairs | parameters | steps | minutes | test text→image R@1 / R@5 / R@10 | R@10 ÷ chance | test image→text R@10 | chance R@10 |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|');
for (const { architecture, outcome } of rows) {
  const { run, elapsedSeconds } = outcome;
  const test = run.test;
  console.log(
    `| ${architecture} | ${Math.min(run.dataset.trainingPairs, run.options.trainingImagesLimit ?? Number.POSITIVE_INFINITY)} | ${(run.parameterCount / 1e6).toFixed(2)} M | ${run.step} | ${(elapsedSeconds / 60).toFixed(1)} | ${recall(test, 'textToImage', '1')} / ${recall(test, 'textToImage', '5')} / ${recall(test, 'textToImage', '10')} | ${multiple(test, 'textToImage', '10')}× | ${recall(test, 'imageToText', '10')} | ${test.textToImage.chance['10'].toFixed(3)} |`,
  );
}
const first = rows[0].outcome.run;
console.log(
  `(backend ${first.backend}; preset ${values.preset}; ${first.dataset.validationPairs} validation and ${first.dataset.testPairs} test pairs, the same for every run)`,
);
