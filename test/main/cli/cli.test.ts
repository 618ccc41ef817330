import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendNames } from '../../../common/contract/index.js';
import { cliEntry, projectRoot } from '../../support/serve-process.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

const library = temporaryLibrary();
afterAll(() => library.remove());

// The machine's own Node (20 here) when there is one: the launcher must move itself onto the pinned Node 22.
const systemNode = fs.existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

function unisight(args: string[], environment: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(systemNode, [cliEntry, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, UNISIGHT_LIBRARY: library.path, ...environment },
    timeout: 120_000,
  });
  const lastLine = run.stdout.trim().split('\n').at(-1) ?? '';
  return { ...run, lastLine };
}

describe('unisight CLI', () => {
  it('info --json prints Node 22, the backend chosen and every skipped backend with its reason', () => {
    const run = unisight(['info', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const info = JSON.parse(run.lastLine);
    expect(info.nodeVersion).toMatch(/^22\./);
    expect(info.library.path).toBe(library.path);
    const attempts = info.engine.attempts as Array<{ backend: string; chosen: boolean; reason: string }>;
    expect(attempts.map((attempt) => attempt.backend)).toEqual([...backendNames]);
    expect(attempts.filter((attempt) => attempt.chosen)).toHaveLength(1);
    expect(attempts.find((attempt) => attempt.chosen)!.backend).toBe(info.engine.backend);
    for (const attempt of attempts) expect(attempt.reason.length).toBeGreaterThan(10);
    // The WebGPU route names the adapter it found, or why it found none: here no hardware GPU.
    expect(attempts.find((attempt) => attempt.backend === 'webgpu')!.reason).toMatch(
      /^(only a software adapter, .+: slower than WebAssembly|no WebGPU adapter|Dawn .* failed to load|chosen: WebGPU on )/,
    );
  });

  it('keeps a V8 code cache in the temporary folder, so later commands start faster', () => {
    const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-tmp-'));
    try {
      const run = unisight(['--help'], { TMPDIR: temporary, NODE_COMPILE_CACHE: undefined });
      expect(run.status, run.stderr).toBe(0);
      // Node makes the cache's versioned folder as soon as it is enabled; the entries are the compiled modules.
      const entries = fs
        .readdirSync(path.join(temporary, 'node-compile-cache'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile());
      expect(entries.length).toBeGreaterThan(10);
    } finally {
      fs.rmSync(temporary, { recursive: true, force: true });
    }
  });

  it('honours --library over UNISIGHT_LIBRARY', () => {
    const other = temporaryLibrary();
    const run = unisight(['jobs', '--json', '--library', other.path]);
    expect(run.status).toBe(0);
    expect(fs.existsSync(`${other.path}/catalog.sqlite`)).toBe(true);
    other.remove();
  });

  it('runs the self-check job and reports it as JSON on the last line', () => {
    const run = unisight(['selfcheck', '--iterations', '4', '--matrix-size', '32', '--json'], {
      UNISIGHT_BACKEND: 'cpu',
    });
    expect(run.status, run.stderr).toBe(0);
    const { job } = JSON.parse(run.lastLine);
    expect(job).toMatchObject({
      state: 'succeeded',
      progress: { done: 4, total: 4 },
      result: { leakedTensors: 0, backend: 'cpu' },
    });
    const listed = JSON.parse(unisight(['jobs', '--json']).lastLine);
    expect(listed.jobs.map((entry: { id: string }) => entry.id)).toContain(job.id);
  });

  it.each(['serve', 'info', 'start', 'selfcheck', 'jobs'])('%s --help describes its options and exits 0', (command) => {
    const run = unisight([command, '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Usage: unisight ${command}`));
    expect(run.stdout).toContain('--library');
  });

  it('fails with a one-line reason and a non-zero code on bad usage', () => {
    const unknown = unisight(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);

    const badValue = unisight(['selfcheck', '--iterations', '0', '--json']);
    expect(badValue.status).toBe(2);
    expect(badValue.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(badValue.lastLine).error).toMatch(/iterations/);

    const badFlag = unisight(['info', '--colour']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(/--colour/);

    // The MS-CLIP and text-sampling flags are checked before any library is opened.
    for (const [flags, reason] of [
      [
        ['--share', 'attention,norms'],
        /--share lists parts of a shared block: attention, mlp, layer-norms \(not norms\)/,
      ],
      [['--parallel-branch', '1,x'], /--parallel-branch lists block numbers/],
      [['--image-stem', 'resnet'], /--image-stem is linear, convolutional, hierarchical/],
      [['--text-sampling', '0.8,0.5'], /--text-sampling is two chances that add up to at most 1/],
      [['--text-sampling', '0.3,0.2,1.5'], /then optionally the share of the run read whole first \(0 to 1\)/],
    ] as const) {
      const refused = unisight(['pretrain', ...flags]);
      expect(refused.status, flags.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(reason);
    }
  });

  it('refuses a library from a newer version with a clear reason', () => {
    const newer = temporaryLibrary();
    unisight(['jobs', '--library', newer.path]);
    spawnSync(
      process.execPath,
      [
        '-e',
        `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.pragma('user_version = 999');d.close()`,
        `${newer.path}/catalog.sqlite`,
      ],
      { cwd: projectRoot },
    );
    const run = unisight(['jobs', '--library', newer.path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/newer Unisight/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    newer.remove();
  });
});
