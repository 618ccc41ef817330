import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEntry, projectRoot } from './serve-process.js';

/**
 * A generated demo export, made once per (studies, seed) by the real `unisight demo-data` command and reused by
 * later tests: generation is deterministic, so a finished copy is the same bytes a fresh one would be.
 */
export function demoExport(studies = 50, seed = 'test'): string {
  const directory = path.join(os.tmpdir(), 'unisight-test-exports', `${seed}-${studies}`);
  const finished = path.join(directory, '..', `${seed}-${studies}.done`);
  if (fs.existsSync(finished)) return directory;
  fs.rmSync(directory, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [cliEntry, 'demo-data', directory, '--studies', String(studies), '--seed', seed, '--json'], { cwd: projectRoot, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`demo-data failed: ${run.stderr}`);
  fs.writeFileSync(finished, run.stdout);
  return directory;
}

/** Copies a folder tree (to give a test its own export it may change). */
export function copyTree(source: string, target: string): string {
  fs.cpSync(source, target, { recursive: true });
  return target;
}

export function runCli(args: string[], environment: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [cliEntry, ...args], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, ...environment }, timeout: 300_000 });
  return { ...run, json: () => JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null') };
}
