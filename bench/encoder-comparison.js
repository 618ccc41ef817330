// `npm run bench:encoders -- --library DIR`: the shared encoder against the separate-encoder (CLIP) baseline and the
// MS-CLIP variants at three training-set sizes on one imported library, each trained with `unisight pretrain --json`
// (same preset, split, seed and schedule), then a table of test Recall@K with chance and the image-side probe.
// `--variants` names the rows: "name=pretrain flags" separated by semicolons. Figures belong in bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const defaultVariants = [
  'shared=--architecture shared',
  'separate=--architecture separate',
  'MS-CLIP norms=--share attention,mlp',
  'MS-CLIP norms + conv stem=--share attention,mlp --image-stem convolutional',
].join(';');

const { values } = parseArgs({
  options: {
    library: { type: 'string' },
    sizes: { type: 'string', default: '370,740,1476' },
    preset: { type: 'string', default: 'cpu-fast' },
    variants: { type: 'string', default: defaultVariants },
    epochs: { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
  },
});
if (!values.library) {
  console.error(
    'usage: npm run bench:encoders -- --library DIR [--sizes 370,740,1476] [--preset cpu-fast] [--variants "name=flags;…"] [--epochs N] [--learning-rate X] [--seed S]',
  );
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const sizes = values.sizes.split(',').map(Number);
const variants = values.variants.split(';').map((entry) => {
  const [name, flags = ''] = entry.split('=');
  return { name: name.trim(), flags: flags.trim().split(/\s+/).filter(Boolean) };
});
const rows = [];

for (const size of sizes) {
  for (const variant of variants) {
    const args = [
      path.join(root, 'bin', 'unisight.js'),
      'pretrain',
      '--library',
      values.library,
      '--preset',
      values.preset,
      ...variant.flags,
      '--training-images',
      String(size),
      '--name',
      `compare ${variant.name} ${size}`,
      '--json',
    ];
    if (values.epochs) args.push('--epochs', values.epochs);
    if (values['learning-rate']) args.push('--learning-rate', values['learning-rate']);
    if (values.seed) args.push('--seed', values.seed);
    console.log(`${variant.name}, ${size} training pairs…`);
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0) {
      console.error(
        `pretrain failed (${variant.name}, ${size}):\n${result.stderr || result.stdout.split('\n').slice(-5).join('\n')}`,
      );
      process.exit(1);
    }
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1));
    rows.push({ variant: variant.name, size, outcome });
  }
}

const recall = (metrics, direction, k) => metrics[direction].recall[k].toFixed(3);
const multiple = (metrics, direction, k) => (metrics[direction].recall[k] / metrics[direction].chance[k]).toFixed(1);
const probe = (run, task, fraction) => {
  const result = run.imageProbe
    ?.find((entry) => entry.task === task)
    ?.results.find((entry) => entry.labelFraction === fraction);
  return result
    ? `${result.auroc.estimate.toFixed(3)} [${result.auroc.lower.toFixed(2)}, ${result.auroc.upper.toFixed(2)}]`
    : '–';
};
console.log(
  '\n| variant | training pairs | parameters | steps | minutes | test text→image R@1 / R@5 / R@10 | R@10 ÷ chance | test image→text R@10 | chance R@10 | image probe `abnormal` AUROC, 1% / 100% labels (chance 0.5) |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
for (const { variant, outcome } of rows) {
  const { run, elapsedSeconds } = outcome;
  const test = run.test;
  console.log(
    `| ${variant} | ${Math.min(run.dataset.trainingPairs, run.options.trainingImagesLimit ?? Number.POSITIVE_INFINITY)} | ${(run.parameterCount / 1e6).toFixed(2)} M | ${run.step} | ${(elapsedSeconds / 60).toFixed(1)} | ${recall(test, 'textToImage', '1')} / ${recall(test, 'textToImage', '5')} / ${recall(test, 'textToImage', '10')} | ${multiple(test, 'textToImage', '10')}× | ${recall(test, 'imageToText', '10')} | ${test.textToImage.chance['10'].toFixed(3)} | ${probe(run, 'abnormal', 0.01)} / ${probe(run, 'abnormal', 1)} |`,
  );
}
const first = rows[0].outcome.run;
console.log(
  `(backend ${first.backend}; preset ${values.preset}; ${first.dataset.validationPairs} validation and ${first.dataset.testPairs} test pairs, the same for every run)`,
);
