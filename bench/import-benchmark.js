// `npm run bench:import`: Unisight's importer against a pydicom reference doing the same per-file work, on the
// same generated hospital export (2,000 studies unless --studies says otherwise; --film-size N for films a real
// detector's size). Prints files/s, the ratio and peak memory. Figures belong in bench/RESULTS.md with date, machine
// and command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    studies: { type: 'string', default: '2000' },
    workers: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'film-size': { type: 'string' },
  },
});
const studies = Number(values.studies);
const rounds = Math.max(1, Number(values.rounds));
const workers = Number(values.workers ?? os.availableParallelism());
const root = path.resolve(import.meta.dirname, '..');
const data = path.join(root, '.bench-data');
const filmSize = values['film-size'];
const folder = path.join(data, `export-${studies}${filmSize ? `-films-${filmSize}` : ''}`);
const cli = path.join(root, 'bin', 'unisight.js');

function run(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return { seconds, json: JSON.parse(result.stdout.trim().split('\n').at(-1)) };
}

fs.mkdirSync(data, { recursive: true });
if (!fs.existsSync(path.join(folder, 'unisight-manifest.json'))) {
  fs.rmSync(folder, { recursive: true, force: true });
  console.log(`generating ${studies} studies in ${folder} (once; reused by later runs)…`);
  const generated = run(process.execPath, [
    cli,
    'demo-data',
    folder,
    '--studies',
    String(studies),
    '--seed',
    'bench',
    ...(filmSize ? ['--film-size', filmSize] : []),
    '--json',
  ]);
  console.log(`  generated in ${generated.seconds.toFixed(0)} s`);
}

// The machine is shared and noisy (±15% between runs, drifting over minutes), so the two sides alternate, round by
// round, and the ratio compared with the target is the median of the rounds' ratios: each round's pair ran a few
// seconds apart, under the same load.
const ourRuns = [];
const referenceRuns = [];
const roundRatios = [];
for (let round = 1; round <= rounds; round++) {
  const library = fs.mkdtempSync(path.join(data, 'library-'));
  ourRuns.push(run(process.execPath, [cli, 'import', folder, '--library', library, '--json']));
  fs.rmSync(library, { recursive: true, force: true });
  referenceRuns.push(
    run('/usr/bin/python3', [path.join(root, 'bench', 'import_reference.py'), folder, String(workers)]),
  );
  const [ours, reference] = [ourRuns.at(-1), referenceRuns.at(-1)];
  roundRatios.push(ours.json.files.total / ours.seconds / (reference.json.files / reference.seconds));
  console.log(
    `round ${round}: unisight ${ours.seconds.toFixed(2)} s, reference ${reference.seconds.toFixed(2)} s, throughput ratio ${roundRatios.at(-1).toFixed(2)}×`,
  );
}
const middle = (values) => [...values].sort((left, right) => left - right)[Math.floor((values.length - 1) / 2)];
const median = (runs) => runs.find((run) => run.seconds === middle(runs.map((candidate) => candidate.seconds)));
const ours = median(ourRuns);
const reference = median(referenceRuns);
const peakResidentBytes = Math.max(...ourRuns.map((runResult) => runResult.json.peakResidentBytes));

const ourFiles = ours.json.files.total;
const ourRate = ourFiles / ours.seconds;
const referenceRate = reference.json.files / reference.seconds;
const megabytes = (bytes) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
console.log(
  `\nimport benchmark: ${studies} studies${filmSize ? ` (films ${filmSize} px wide)` : ''}, ${ourFiles} files, ${workers} workers, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, ${rounds} round(s); each side's median run:`,
);
console.log(
  `  unisight import (whole CLI run, start-up included): ${ours.seconds.toFixed(2)} s, ${ourRate.toFixed(1)} files/s, peak ${megabytes(peakResidentBytes)} (main and workers)`,
);
console.log(
  `    ${ours.json.outcomes.imported} imported, ${ours.json.outcomes.failed} failed, ${ours.json.outcomes.skipped} skipped`,
);
console.log(
  `  pydicom reference (python start-up included):        ${reference.seconds.toFixed(2)} s, ${referenceRate.toFixed(1)} files/s, peak ${megabytes(reference.json.peak_resident_bytes_per_process)} per process`,
);
console.log(
  `    ${reference.json.imported} images decoded, ${reference.json.text} text reports read, ${reference.json.skipped} tables passed over, ${reference.json.failed} failed`,
);
if (reference.json.files !== ourFiles)
  console.log(`  NOTE: the reference saw ${reference.json.files} files, unisight ${ourFiles}`);
console.log(
  `  throughput ratio (unisight files/s / reference files/s, the same files), median of the rounds: ${middle(roundRatios).toFixed(2)}×  (target ≥ ${filmSize ? 3 : 2}×)`,
);
console.log(
  `    (of the two sides' median runs: ${(ourRate / referenceRate).toFixed(2)}×; rounds: ${roundRatios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')})`,
);
console.log(`  peak memory under 1.5 GB: ${peakResidentBytes < 1.5 * 1024 ** 3 ? 'yes' : 'NO'}`);
