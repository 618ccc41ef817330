// `npm run bench:search-under-import`: does search stay interactive while an import runs? A library of 2,000
// generated studies with a small encoder, served by the real `unisight serve`; hybrid queries (the default mode:
// encoding plus report search) at concurrency 8, first alone, then while a 600-study import of another export runs
// in the same server. Prints p50/p95 of each and their ratio (goal: p95 during an import within 2× of p95 without).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';

const root = path.join(import.meta.dirname, '..');
const cli = path.join(root, 'bin', 'unisight.js');
const { values } = parseArgs({
  options: {
    studies: { type: 'string', default: '2000' },
    'import-studies': { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '8' },
    queries: { type: 'string', default: '400' },
  },
});
const concurrency = Number(values.concurrency);
const queryCount = Number(values.queries);
const cache = path.join(root, '.bench-data');

function unisight(args) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`unisight ${args.join(' ')} failed: ${run.stderr || run.stdout}`);
  return run.stdout;
}

/** A generated export, kept in .bench-data between runs (generation is deterministic). */
function generated(studies, seed) {
  const folder = path.join(cache, `export-${seed}-${studies}`);
  if (!fs.existsSync(folder)) unisight(['demo-data', folder, '--studies', String(studies), '--seed', seed, '--json']);
  return folder;
}

const queries = [
  'pneumothorax',
  'large left pleural effusion',
  'enlarged heart',
  'nodule in the right upper zone',
  'consolidation of the left lower lobe',
  'no acute abnormality',
  'effusion without pneumothorax',
  'rounded opacity',
  'blunting of the costophrenic angle',
  'cardiomegaly with effusion',
];

async function serve(library) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--json', '--library', library], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('{') && resolve(line));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const { url, origin } = JSON.parse(first);
  const token = new URL(url).searchParams.get('token');
  const call = async (method, input) => {
    const response = await fetch(`${origin}/api/call/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`${method}: ${JSON.stringify(body)}`);
    return body.result;
  };
  return { call, stop: () => child.kill('SIGTERM') };
}

/** `count` queries, `concurrency` at a time, until done or `until()` says stop; each query's milliseconds. */
async function load(server, count, until = () => false) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !until()) {
      const text = queries[next++ % queries.length];
      const started = performance.now();
      await server.call('search.query', { text, k: 20 });
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies.sort((left, right) => left - right);
}

const percentile = (sorted, fraction) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
const describe = (sorted) =>
  `${sorted.length} queries, p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`;

fs.mkdirSync(cache, { recursive: true });
const library = fs.mkdtempSync(path.join(cache, 'search-under-import-'));
try {
  console.log(`library: ${values.studies} studies; importing ${values['import-studies']} more during the second load`);
  unisight(['import', generated(Number(values.studies), 'bench'), '--library', library, '--json']);
  const pretrain = ['--width', '32', '--image-size', '32', '--epochs', '2', '--batch-size', '16', '--json'];
  unisight(['pretrain', '--library', library, ...pretrain]);
  const second = generated(Number(values['import-studies']), 'bench-later');
  const server = await serve(library);
  try {
    await load(server, 2 * concurrency); // warms the query engine
    const alone = await load(server, queryCount);
    console.log(`without an import: ${describe(alone)}`);

    const job = await server.call('import.start', { folder: second });
    let importing = true;
    const watcher = (async () => {
      while (importing) {
        const state = (await server.call('jobs.get', { jobId: job.id })).state;
        importing = state === 'queued' || state === 'running';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const during = await load(server, queryCount, () => !importing);
    const importSeconds = (performance.now() - started) / 1000;
    importing = false;
    await watcher;
    console.log(`during the import (${importSeconds.toFixed(1)} s of it measured): ${describe(during)}`);
    const ratio = percentile(during, 0.95) / percentile(alone, 0.95);
    console.log(`p95 during ÷ p95 without: ${ratio.toFixed(2)}× (goal ≤ 2×)`);
  } finally {
    server.stop();
  }
} finally {
  fs.rmSync(library, { recursive: true, force: true });
}
