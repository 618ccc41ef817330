import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { copyTree, demoExport, runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

const workspace = temporaryLibrary();
afterAll(() => workspace.remove());

interface TableSummary {
  file: string;
  rows: number;
  problems: string[];
}

/** A copy of a small export whose manifest names `tables` (each a report table mapping by accession number). */
function exportNaming(name: string, files: string[]): string {
  const folder = copyTree(demoExport(50), path.join(workspace.path, name));
  const manifest = {
    version: 1,
    tables: files.map((file) => ({
      file,
      match: 'accession-number',
      keyColumn: 'accession_number',
      textColumn: 'report_text',
    })),
  };
  fs.writeFileSync(path.join(folder, 'unisight-manifest.json'), JSON.stringify(manifest));
  return folder;
}

describe('a manifest inside the imported folder names tables only inside it', () => {
  it('refuses a FIFO, a device, a path outside the folder and a link out of it, with the reason, and imports the rest', () => {
    const outside = path.join(workspace.path, 'outside.csv');
    fs.writeFileSync(outside, 'accession_number,report_text\nSECRET1,"Not a report of this folder"\n');
    const folder = exportNaming('hostile', [
      'pipe.csv',
      '/dev/zero',
      '../outside.csv',
      outside,
      'link-out.csv',
      'reports.csv',
    ]);
    expect(spawnSync('mkfifo', [path.join(folder, 'pipe.csv')]).status).toBe(0);
    fs.symlinkSync(outside, path.join(folder, 'link-out.csv'));
    const library = path.join(workspace.path, 'library');

    // A FIFO used to hang the import forever: the time limit makes that a failure, not a stuck test.
    const run = runCli(['import', folder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const tables = (run.json() as { tables: TableSummary[] }).tables;
    const problemOf = (file: string) => tables.find((table) => table.file === file)?.problems.join(' ');
    expect(problemOf(path.join(folder, 'pipe.csv'))).toMatch(/is a named pipe, not a file/);
    expect(problemOf(path.join(folder, 'link-out.csv'))).toMatch(/is outside the imported folder/);
    for (const escaping of ['/dev/zero', outside])
      expect(problemOf(escaping), escaping).toMatch(/is outside the imported folder/);
    expect(tables.find((table) => table.file === path.join(folder, 'reports.csv'))).toMatchObject({ problems: [] });
    expect(tables.find((table) => table.file === path.join(folder, 'reports.csv'))!.rows).toBeGreaterThan(0);

    const catalog = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    try {
      expect(catalog.prepare("SELECT count(*) AS count FROM reports WHERE text LIKE '%Not a report%'").get()).toEqual({
        count: 0,
      });
      expect(catalog.prepare("SELECT count(*) AS count FROM import_runs WHERE state = 'running'").get()).toEqual({
        count: 0,
      });
    } finally {
      catalog.close();
    }
  });

  it('reads a table the researcher names anywhere, but never a FIFO', () => {
    const folder = copyTree(demoExport(50), path.join(workspace.path, 'named'));
    fs.rmSync(path.join(folder, 'unisight-manifest.json'));
    const elsewhere = path.join(workspace.path, 'elsewhere.csv');
    fs.copyFileSync(path.join(folder, 'reports.csv'), elsewhere);
    fs.rmSync(path.join(folder, 'reports.csv'));
    const flags = ['--match', 'accession-number', '--key-column', 'accession_number', '--text-column', 'report_text'];
    const library = path.join(workspace.path, 'named-library');
    const named = runCli(['import', folder, '--library', library, '--table', elsewhere, ...flags, '--json']);
    expect(named.status, named.stderr).toBe(0);
    expect((named.json() as { tables: TableSummary[] }).tables[0]).toMatchObject({ file: elsewhere, problems: [] });

    const fifo = path.join(workspace.path, 'table.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const piped = runCli(['import', folder, '--library', library, '--table', fifo, ...flags, '--json']);
    expect(piped.status, piped.stderr).toBe(0);
    expect((piped.json() as { tables: TableSummary[] }).tables[0]!.problems.join(' ')).toMatch(/is a named pipe/);
  });
});
