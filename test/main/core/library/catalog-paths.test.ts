import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { createCoreService } from '../../../../main/core/core-service.js';
import { engineEntryFile, importWorkerFile } from '../../../../main/core/install-paths.js';
import { catalogFileName, openCatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { CatalogPaths, pseudonymisePaths } from '../../../../main/core/library/catalog-paths.js';
import { Pseudonymiser } from '../../../../main/core/library/pseudonymiser.js';
import { copyTree, demoExport, runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('CatalogPaths', () => {
  const library = temporaryLibrary();
  afterAll(() => library.remove());

  it('names each folder and file by a keyed pseudonym that keeps the tree, and opens the sealed real path', () => {
    const catalog = openCatalogDatabase(library.path);
    try {
      pseudonymisePaths(catalog.database);
      const paths = CatalogPaths.of(catalog.database, new Pseudonymiser(library.path));
      const image = path.resolve('/exports/ANDERSEN^Ahmed_MRN0003776/ACC1/IM0001.dcm');
      const report = path.resolve('/exports/ANDERSEN^Ahmed_MRN0003776/ACC1/IM0001.txt');
      const stored = paths.catalogPath(image);
      expect(stored).not.toMatch(/exports|ANDERSEN|MRN|ACC1|IM0001/);
      expect(path.extname(stored)).toBe('.dcm');
      // Same folder, same stem: the catalog still sees a report beside its image.
      expect(path.dirname(paths.catalogPath(report))).toBe(path.dirname(stored));
      expect(path.basename(paths.catalogPath(report), '.txt')).toBe(path.basename(stored, '.dcm'));
      expect(paths.catalogPath(path.dirname(image))).toBe(path.dirname(stored));
      // An extension that could be a name is not kept.
      expect(paths.catalogPath(path.resolve('/exports/ANDERSEN.Ahmed'))).not.toMatch(/Ahmed/);
      const sealed = paths.seal(image)!;
      expect(sealed).not.toContain('ANDERSEN');
      expect(paths.realPath({ path: stored, location: sealed })).toBe(image);
      // Another library's key names the same path otherwise and cannot open its seal.
      const other = temporaryLibrary();
      try {
        const otherCatalog = openCatalogDatabase(other.path);
        pseudonymisePaths(otherCatalog.database);
        const otherPaths = CatalogPaths.of(otherCatalog.database, new Pseudonymiser(other.path));
        expect(otherPaths.catalogPath(image)).not.toBe(stored);
        expect(() => otherPaths.realPath({ path: stored, location: sealed })).toThrow();
        otherCatalog.database.close();
      } finally {
        other.remove();
      }
    } finally {
      catalog.database.close();
    }
  });
});

describe('unisight import --pseudonymise-paths on an export whose folders are named after patients', () => {
  const workspace = temporaryLibrary();
  const exportFolder = path.join(workspace.path, 'export');
  const plainLibrary = path.join(workspace.path, 'plain');
  const library = path.join(workspace.path, 'pseudonymised');
  const patientFolders: string[] = [];
  let plain: ReturnType<ReturnType<typeof runCli>['json']>;
  let pseudonymised: ReturnType<ReturnType<typeof runCli>['json']>;

  beforeAll(() => {
    copyTree(demoExport(50), exportFolder);
    for (const [index, name] of fs
      .readdirSync(exportFolder)
      .filter((entry) => entry.startsWith('PAT_'))
      .entries()) {
      const identifying = `ZYGMUNTOWICZ^Patient${index}_MRN${String(9_000_000 + index)}`;
      fs.renameSync(path.join(exportFolder, name), path.join(exportFolder, identifying));
      patientFolders.push(identifying);
    }
    // A report found by its file name (the accession number), away from its images.
    const studyFolder = fs.readdirSync(path.join(exportFolder, patientFolders[0]!)).find((name) => /_ACC/.test(name))!;
    fs.mkdirSync(path.join(exportFolder, 'loose-reports'));
    fs.writeFileSync(
      path.join(exportFolder, 'loose-reports', `${studyFolder.split('_')[1]!}.txt`),
      'Addendum: no change on review.',
    );
    const plainRun = runCli(['import', exportFolder, '--library', plainLibrary, '--json']);
    expect(plainRun.status, plainRun.stderr).toBe(0);
    plain = plainRun.json();
    const run = runCli(['import', exportFolder, '--library', library, '--pseudonymise-paths', '--json']);
    expect(run.status, run.stderr).toBe(0);
    pseudonymised = run.json();
  });
  afterAll(() => workspace.remove());

  it('imports and links exactly what an import under real paths does', () => {
    for (const field of ['outcomes', 'reasons', 'images', 'studies', 'studiesWithoutReports', 'reports'] as const)
      expect(pseudonymised[field], field).toEqual(plain[field]);
    const linkedBySource = (file: string) =>
      new Database(path.join(file, catalogFileName), { readonly: true })
        .prepare(
          "SELECT source, match_key LIKE 'file name%' AS byName, count(*) AS count FROM reports WHERE study_id IS NOT NULL GROUP BY source, byName",
        )
        .all();
    expect(linkedBySource(library)).toEqual(linkedBySource(plainLibrary));
    expect(linkedBySource(library)).toContainEqual({ source: 'text-file', byName: 1, count: 1 });
    expect(pseudonymised.reports.linked).toBeGreaterThan(30);
  });

  it('keeps no folder or file name in any catalog row or API answer', async () => {
    const names = [...patientFolders, 'loose-reports', 'SER_', 'IM000001', path.basename(workspace.path)];
    const database = new Database(path.join(library, catalogFileName), { readonly: true });
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'reports_fts%'")
      .pluck()
      .all() as string[];
    const catalogText = tables
      .map((table) => JSON.stringify(database.prepare(`SELECT * FROM "${table}"`).all()))
      .join('\n')
      // The job list keeps the folder the researcher named, as named (README, privacy).
      .replaceAll(JSON.stringify(exportFolder).slice(1, -1), '<named folder>');
    database.close();
    for (const name of names) expect(catalogText, name).not.toContain(name);

    const core = createCoreService({
      libraryPath: library,
      launchEngine: forkLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: 512 }),
      launchImportWorker: forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: 512 }),
    });
    try {
      expect((await core.handlers['app.info']({})).library.pathsPseudonymised).toBe(true);
      const files = await core.handlers['import.files']({ folder: pseudonymised.folder, offset: 0, limit: 10_000 });
      expect(files.total).toBe(pseudonymised.files.total);
      const studies = await core.handlers['library.studies']({ filter: {}, offset: 0, limit: 100 });
      const details = await Promise.all(
        studies.studies.map((study) => core.handlers['library.study']({ studyId: study.id })),
      );
      const answers = JSON.stringify([
        pseudonymised,
        files,
        details,
        await core.handlers['library.unmatchedReports']({ limit: 100 }),
      ]);
      for (const name of [...names, exportFolder]) expect(answers, name).not.toContain(name);
      // This machine still opens the file itself, through its sealed path.
      const rendered = await core.handlers['library.renderImage']({
        imageId: details[0]!.images[0]!.id,
        maximumSize: 256,
      });
      expect(rendered.dataUrl).toMatch(/^data:image\/png;base64,/);
    } finally {
      await core.close();
    }
  });

  it('finds every file unchanged when run again, with or without the flag', () => {
    for (const flags of [['--pseudonymise-paths'], []]) {
      const again = runCli(['import', exportFolder, '--library', library, ...flags, '--json']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.json().files).toEqual({
        total: pseudonymised.files.total,
        unchanged: pseudonymised.files.total,
        processed: 0,
      });
    }
  });

  it('refuses to switch a library that already holds files under their real paths', () => {
    const run = runCli(['import', exportFolder, '--library', plainLibrary, '--pseudonymise-paths', '--json']);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/already holds \d+ files under their real paths/);
  });
});
