import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { listStudies } from '../../../../main/core/library/library-queries.js';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { createCoreService } from '../../../../main/core/core-service.js';
import { engineEntryFile, importWorkerFile } from '../../../../main/core/install-paths.js';
import { slicesPerVolume } from '../../../../main/core/library/representative-slices.js';
import { buildPretrainingDataset } from '../../../../main/core/training/pretraining-dataset-builder.js';
import { withAffirmedWords } from '../../../../main/core/training/affirmed-words.js';
import { libraryLabelRules } from '../../../../main/core/labels/library-label-rules.js';
import type { PretrainingItem } from '../../../../ml/data/pretraining-dataset.js';
import { epochOrder, pairsPerEpoch } from '../../../../ml/data/study-sampling.js';
import { demoExport, runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

/** Hashes of the first film of every radiograph study, by its path in the export. */
function firstFilms(folder: string): Record<string, string> {
  const films: Record<string, string> = {};
  for (const file of fs.readdirSync(folder, { recursive: true }) as string[])
    if (/SER_(DX|CR)_1[/\\]IM000001/.test(file))
      films[file] = createHash('sha256')
        .update(fs.readFileSync(path.join(folder, file)))
        .digest('hex');
  return films;
}

describe('a library of multi-view radiographs and CT series, as pretraining sees it', () => {
  const workspace = temporaryLibrary();
  /** A one-epoch run of a tiny encoder on the library: what the tests below read back. */
  const pretrainTiny = (library: string, flags: string[] = []) =>
    runCli([
      'pretrain',
      '--library',
      library,
      '--width',
      '16',
      '--image-size',
      '32',
      '--epochs',
      '1',
      '--batch-size',
      '8',
      ...flags,
      '--json',
    ]);
  const exported = path.join(workspace.path, 'export');
  let items: PretrainingItem[] = [];
  let lateralStudies = 0;
  let droppedSlice = 0;
  let studiesWithReport = 0;
  let withWords: PretrainingItem[] = [];
  let marks: Array<{ modality: string; instanceNumber: number; representsSeries: number }> = [];
  beforeAll(() => {
    const written = runCli([
      'demo-data',
      exported,
      '--studies',
      '50',
      '--seed',
      'test',
      '--lateral-fraction',
      '0.5',
      '--ct-studies',
      '2',
      '--ct-slices',
      '12',
      '--json',
    ]);
    if (written.status !== 0) throw new Error(written.stderr);
    const imported = runCli(['import', exported, '--library', path.join(workspace.path, 'library'), '--json']);
    if (imported.status !== 0) throw new Error(imported.stderr);
    const catalog = openCatalogDatabase(path.join(workspace.path, 'library'));
    try {
      items = buildPretrainingDataset(catalog.database, catalog.libraryPath).items.filter((item) => item.reportText);
      lateralStudies = listStudies(catalog.database, { viewPosition: 'LL' }, 0, 1000).total;
      const kept = new Set(items.map((item) => item.imageId));
      droppedSlice = (
        catalog.database
          .prepare(
            "SELECT images.id FROM images JOIN series ON series.id = images.series_id WHERE series.modality = 'CT'",
          )
          .pluck()
          .all() as number[]
      ).find((id) => !kept.has(id))!;
      studiesWithReport = listStudies(catalog.database, { hasReport: true }, 0, 1000).total;
      withWords = withAffirmedWords(items, libraryLabelRules(catalog.database));
      marks = catalog.database
        .prepare(
          `SELECT series.modality AS modality, images.instance_number AS instanceNumber,
             images.represents_series AS representsSeries
           FROM images JOIN series ON series.id = images.series_id ORDER BY series.id, images.instance_number`,
        )
        .all() as typeof marks;
    } finally {
      catalog.database.close();
    }
  }, 240_000);
  afterAll(() => workspace.remove());

  it('adds lateral views and CT studies without changing the radiographs a seed writes', () => {
    expect(firstFilms(exported)).toEqual(firstFilms(demoExport(50, 'test')));
    expect(items.some((item) => item.viewPosition === 'LL')).toBe(true);
    // The Library's view filter keeps the studies with a lateral view: about half of the 50.
    expect(lateralStudies).toBeGreaterThan(10);
    expect(lateralStudies).toBeLessThan(40);
    expect(
      new Set(items.filter((item) => item.viewPosition === 'LL').map((item) => item.studyId)).size,
    ).toBeLessThanOrEqual(lateralStudies);
    expect(studiesWithReport).toBe(new Set(items.map((item) => item.studyId)).size);
  });

  it('adds the words each report asserts for a run that predicts them, negated findings left out', () => {
    expect(items.every((item) => item.reportWords.length === 0)).toBe(true);
    for (const item of withWords) {
      expect(item.reportWords.length).toBeGreaterThan(0);
      // "No pneumothorax." and nothing else about one: the word is not asserted.
      if (/no pneumothorax/i.test(item.reportText) && (item.reportText.match(/pneumothorax/gi) ?? []).length === 1)
        expect(item.reportWords).not.toContain('pneumothorax');
    }
  });

  it('keeps five evenly spaced slices of each CT series, the middle among them', () => {
    const byStudy = new Map<number, PretrainingItem[]>();
    for (const item of items.filter((candidate) => candidate.viewPosition === null))
      byStudy.set(item.studyId, [...(byStudy.get(item.studyId) ?? []), item]);
    const volumes = [...byStudy.values()].filter((slices) => slices.length > 1);
    expect(volumes).toHaveLength(2);
    for (const slices of volumes) expect(slices).toHaveLength(slicesPerVolume);
  });

  it('records in the catalog which slices stand for each volume, and that every film stands for itself', () => {
    const ct = marks.filter((mark) => mark.modality === 'CT');
    expect(ct).toHaveLength(24);
    // Of 12 slices (instance numbers 1–12), those at 10%, 30%, 50%, 70% and 90% of the way: positions 1, 3, 6, 8, 10.
    const kept = ct.filter((mark) => mark.representsSeries === 1).map((mark) => mark.instanceNumber);
    expect(kept).toEqual([2, 4, 7, 9, 11, 2, 4, 7, 9, 11]);
    expect(marks.filter((mark) => mark.modality !== 'CT').every((mark) => mark.representsSeries === 1)).toBe(true);
  });

  it('trains on one image per study per epoch, never two of a study in a batch, frontal views under frontal', () => {
    const all = items.map((_, index) => index);
    const studies = new Set(items.map((item) => item.studyId)).size;
    expect(pairsPerEpoch(items, all, 'one')).toBe(studies);
    expect(studies).toBeLessThan(items.length);
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = epochOrder(items, all, epoch, 'one', 'unisight');
      expect(new Set(order.map((index) => items[index]!.studyId)).size).toBe(order.length);
      const frontal = epochOrder(items, all, epoch, 'frontal', 'unisight');
      expect(frontal.filter((index) => items[index]!.viewPosition === 'LL')).toEqual([]);
    }
  });

  it('finds images similar to any slice of a volume, and lists one result a study unless asked for every image', async () => {
    const library = path.join(workspace.path, 'library');
    const trained = pretrainTiny(library);
    expect(trained.status, trained.stderr).toBe(0);
    const core = createCoreService({
      libraryPath: library,
      launchEngine: forkLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: 512 }),
      launchImportWorker: forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: 512 }),
    });
    try {
      const similar = await core.handlers['search.similar']({ imageId: droppedSlice, k: 5, filter: {} });
      expect(similar.results.length).toBe(5);
      expect(similar.results.map((result) => result.imageId)).not.toContain(droppedSlice);
      // Report words match every image of a study: one result a study by default, every image on request.
      const search = (onePerStudy: boolean) =>
        core.handlers['search.query']({
          text: 'effusion',
          mode: 'lexical',
          k: 1000,
          semanticWeight: 0.2,
          filter: {},
          meaningCutOff: 'calibrated',
          onePerStudy,
        });
      const perStudy = (await search(true)).results.map((result) => result.studyInstanceUid);
      const everyImage = (await search(false)).results.map((result) => result.studyInstanceUid);
      expect(new Set(perStudy).size).toBe(perStudy.length);
      expect(new Set(everyImage)).toEqual(new Set(perStudy));
      expect(everyImage.length).toBeGreaterThan(perStudy.length);
    } finally {
      await core.close();
    }
  }, 120_000);

  it('snapshots the words each report asserts only for a run that predicts them', () => {
    const library = path.join(workspace.path, 'library');
    const snapshot = (flags: string[]) => {
      const trained = pretrainTiny(library, flags);
      expect(trained.status, trained.stderr).toBe(0);
      const dataset = path.join(library, 'runs', trained.json().runId as string, 'dataset.json');
      return (JSON.parse(fs.readFileSync(dataset, 'utf8')) as { items: PretrainingItem[] }).items;
    };
    const predicting = snapshot(['--word-prediction', '1']).filter((item) => item.reportText);
    expect(predicting.length).toBeGreaterThan(0);
    expect(predicting.every((item) => item.reportWords.length > 0)).toBe(true);
    expect(snapshot(['--word-prediction', '0']).every((item) => item.reportWords.length === 0)).toBe(true);
  }, 120_000);
});
