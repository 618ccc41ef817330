import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEntry, projectRoot } from './serve-process.js';

/**
 * A generated demo export, made once per (studies, seed, generator code) by the real `unisight demo-data` command and
 * reused by later tests: generation is deterministic, so a finished copy is the same bytes a fresh one would be.
 * Test files run in parallel processes, so each generates into its own folder and publishes it with an atomic rename;
 * a process that loses the race uses the winner's identical copy.
 */
export function demoExport(studies = 50, seed = 'test'): string {
  const directory = path.join(os.tmpdir(), 'unisight-test-exports', `${seed}-${studies}-${generatorVersion()}`);
  if (fs.existsSync(directory)) return directory;
  const staging = `${directory}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [cliEntry, 'demo-data', staging, '--studies', String(studies), '--seed', seed, '--json'],
    { cwd: projectRoot, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`demo-data failed: ${run.stderr}`);
  try {
    fs.renameSync(staging, directory);
  } catch (error) {
    if (!fs.existsSync(directory)) throw error;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return directory;
}

/** A change to the generator's code makes a new cache entry instead of reusing stale bytes. */
function generatorVersion(): string {
  const folder = path.join(projectRoot, 'main', 'demo');
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(folder).sort()) hash.update(name).update(fs.readFileSync(path.join(folder, name)));
  // The generator draws every random choice from SeededRandom.
  hash.update(fs.readFileSync(path.join(projectRoot, 'common', 'seeded-random.ts')));
  return hash.digest('hex').slice(0, 12);
}

/** Copies a folder tree (to give a test its own export it may change). */
export function copyTree(source: string, target: string): string {
  fs.cpSync(source, target, { recursive: true });
  return target;
}

export function runCli(args: string[], environment: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [cliEntry, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, ...environment },
    timeout: 300_000,
  });
  return { ...run, json: () => JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null') };
}

/**
 * A library with a generated export of `studies` imported and a small encoder pretrained on it (seconds, not minutes).
 */
export function importedAndPretrained(library: string, studies: number, epochs = 3): void {
  for (const args of [
    ['import', demoExport(studies), '--library', library, '--json'],
    [
      'pretrain',
      '--library',
      library,
      '--width',
      '32',
      '--image-size',
      '32',
      '--epochs',
      String(epochs),
      '--batch-size',
      '8',
      '--json',
    ],
  ]) {
    const run = runCli(args);
    if (run.status !== 0) throw new Error(`unisight ${args[0]} failed: ${run.stderr}`);
  }
}
