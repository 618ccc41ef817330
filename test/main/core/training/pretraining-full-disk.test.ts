import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoExport, runCli } from '../../../support/demo-export.js';
import { smallDisk } from '../../../support/small-disk.js';

// A real full disk: a tmpfs, filled until a checkpoint no longer fits.
const small = smallDisk('32m', 'pretraining onto a full disk (pretraining-full-disk.test.ts)');
const disk = small.path;
const cannotMount = small.skipped;
afterAll(() => small.remove());

function partialFiles(folder: string): string[] {
  return (fs.readdirSync(folder, { recursive: true }) as string[]).filter((name) => name.endsWith('.partial'));
}

const smallEncoder = ['--width', '32', '--image-size', '32', '--epochs', '3', '--batch-size', '8', '--json'];

describe.skipIf(cannotMount !== null)('pretraining onto a full disk', () => {
  it('fails in its own words, leaves no partial file, and resumes once there is space', () => {
    const library = path.join(disk, 'library');
    expect(runCli(['import', demoExport(50), '--library', library, '--json']).status).toBe(0);
    // Room for the run's data snapshot and tokenizer (tens of kilobytes), not for its first checkpoint (~600 KB).
    const filler = path.join(disk, 'filler');
    const free = () => {
      const stats = fs.statfsSync(disk);
      return stats.bavail * stats.bsize;
    };
    fs.writeFileSync(filler, Buffer.alloc(free() - 256 * 1024));

    const full = runCli(['pretrain', '--library', library, ...smallEncoder]);
    expect(full.status, full.stdout).toBe(1);
    const output = `${full.stdout}\n${full.stderr}`;
    expect(output).toMatch(/The disk holding the run's folder \(.+\) is full\. Free some space and resume the run/);
    expect(output).not.toMatch(/SqliteError|SQLITE_FULL|database or disk is full|ENOSPC|\n\s+at /);
    expect(partialFiles(library)).toEqual([]);
    const failed = full.json() as { runId: string; jobId: string; state: string };
    expect(failed.state).toBe('failed');

    fs.rmSync(filler);
    const resumed = runCli(['pretrain', '--library', library, '--resume', failed.jobId, '--json']);
    expect(resumed.status, resumed.stdout).toBe(0);
    expect(resumed.json()).toMatchObject({ state: 'succeeded', runId: failed.runId });
    expect(partialFiles(library)).toEqual([]);
  }, 300_000);
});
