import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { PretrainRequest, resolvePretrainOptions } from '../../../../common/contract/index.js';
import {
  BundleCancelled,
  planTrainingBundle,
  writeTrainingBundle,
} from '../../../../main/core/scale-out/training-bundle.js';
import { resolveEncoder } from '../../../../main/core/training/pretraining-service.js';
import { importedDemoLibrary } from '../../../support/imported-demo-library.js';

async function tarEntries(file: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      entries.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => extract.on('finish', () => resolve()).on('error', reject));
  fs.createReadStream(file).pipe(extract);
  await done;
  return entries;
}

describe('a training bundle', () => {
  // 120 studies: enough that each finding's word is asserted by the five training reports word prediction needs.
  const library = importedDemoLibrary(120, 'scale-out');
  const options = resolvePretrainOptions(PretrainRequest.parse({ preset: 'cpu-fast', batchSize: 8 }));
  const source = () => ({ encoder: resolveEncoder(options), options });

  it('holds every pair of each split once, as images, report text and pseudonymised ids only', async () => {
    const plan = planTrainingBundle(library.catalog.database, library.path, source());
    const folder = path.join(library.path, 'bundle-whole');
    const reports: number[] = [];
    const written = await writeTrainingBundle(plan, folder, {
      signal: new AbortController().signal,
      report: (done) => reports.push(done),
    });
    expect(reports.at(-1)).toBe(plan.manifest.pairs.train + plan.manifest.pairs.validation + plan.manifest.pairs.test);
    expect(written.files).toContain('unisight_train/model.py');
    const train = await tarEntries(path.join(folder, 'train-000000.tar'));
    expect(train.size).toBe(3 * plan.manifest.pairs.train);
    const image = train.get('00000000.pgm')!;
    const size = plan.items[0]!.imageSize;
    expect(image.subarray(0, 20).toString('latin1')).toMatch(new RegExp(`^P5\\n${size} ${size}\\n255\\n`));
    expect(image.length).toBe(`P5\n${size} ${size}\n255\n`.length + size * size);
    const meta = JSON.parse(train.get('00000000.json')!.toString('utf8'));
    // cpu-fast predicts report words: `words` are positions in bundle.json's vocabulary, not text.
    expect(Object.keys(meta).sort()).toEqual(['imageId', 'patient', 'reportId', 'series', 'studyId', 'view', 'words']);
    expect(Array.isArray(meta.words)).toBe(true);
    // The catalog's pseudonym, not the DICOM Patient ID.
    const pseudonyms = library.catalog.database.prepare('SELECT pseudonym FROM patients').pluck().all() as string[];
    expect(pseudonyms).toContain(meta.patient);
    const studies = new Set(
      [...train.keys()]
        .filter((name) => name.endsWith('.json'))
        .map((name) => JSON.parse(train.get(name)!.toString()).studyId),
    );
    const test = await tarEntries(path.join(folder, 'test-000000.tar'));
    for (const [name, value] of test)
      if (name.endsWith('.json')) expect(studies.has(JSON.parse(value.toString()).studyId)).toBe(false);
  });

  it('stops on a cancel and leaves the folder empty', async () => {
    const plan = planTrainingBundle(library.catalog.database, library.path, source());
    const folder = path.join(library.path, 'bundle-cancelled');
    const controller = new AbortController();
    await expect(
      writeTrainingBundle(plan, folder, {
        signal: controller.signal,
        report: (done) => {
          if (done === 20) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(BundleCancelled);
    expect(fs.readdirSync(folder)).toEqual([]);
    // The same folder takes the bundle afterwards.
    await writeTrainingBundle(plan, folder, { signal: new AbortController().signal, report: () => undefined });
    expect(fs.readdirSync(folder)).toContain('bundle.json');
  });

  it('carries word prediction: the vocabulary of the training reports, and the words each sample asserts', async () => {
    const words = resolvePretrainOptions(PretrainRequest.parse({ preset: 'cpu-fast', wordPredictionWeight: 10 }));
    const plan = planTrainingBundle(library.catalog.database, library.path, {
      encoder: resolveEncoder(words),
      options: words,
    });
    const folder = path.join(library.path, 'bundle-words');
    await writeTrainingBundle(plan, folder, { signal: new AbortController().signal, report: () => undefined });
    const bundle = JSON.parse(fs.readFileSync(path.join(folder, 'bundle.json'), 'utf8'));
    expect(bundle.reportWords.words).toEqual(plan.reportWords!.words);
    const vocabulary = bundle.reportWords.words as string[];
    // The library's patient split is drawn anew with each library, so which findings are common enough varies.
    const findings = ['effusion', 'pneumothorax', 'cardiomegaly', 'consolidation'].filter((word) =>
      vocabulary.includes(word),
    );
    expect(findings.length).toBeGreaterThan(0);
    const train = await tarEntries(path.join(folder, 'train-000000.tar'));
    let asserting = 0;
    let denied = 0;
    for (const [name, value] of train) {
      if (!name.endsWith('.json')) continue;
      const meta = JSON.parse(value.toString());
      const text = train.get(name.replace('.json', '.txt'))!.toString().toLowerCase();
      // Each word is one the report names; a finding the report only denies is never among them.
      for (const position of meta.words as number[]) expect(text).toContain(vocabulary[position]!);
      for (const finding of findings) {
        const mentions = text.split(/[.\n]/).filter((sentence) => sentence.includes(finding));
        if (mentions.length > 0 && mentions.every((sentence) => /\b(no|without)\b/.test(sentence))) {
          expect(meta.words).not.toContain(vocabulary.indexOf(finding));
          denied += 1;
        }
      }
      asserting += meta.words.length > 0 ? 1 : 0;
    }
    expect(denied).toBeGreaterThan(0);
    expect(asserting).toBeGreaterThan(plan.manifest.pairs.train / 2);
    const shares = bundle.reportWords.shares as number[];
    expect(shares).toHaveLength(vocabulary.length);
    shares.forEach((share) => expect(share).toBeGreaterThan(0));
  });

  it('trains the contrastive loss alone where no word is asserted by enough training reports, as the desktop does', () => {
    // Eight training pairs: a word needs five reports and at most half of them, so none qualifies.
    const few = resolvePretrainOptions(
      PretrainRequest.parse({ preset: 'cpu-fast', batchSize: 8, trainingImagesLimit: 8, wordPredictionWeight: 10 }),
    );
    const plan = planTrainingBundle(library.catalog.database, library.path, {
      encoder: resolveEncoder(few),
      options: few,
    });
    expect(plan.reportWords).toBeNull();
    expect(plan.source.options).toEqual({ ...few, wordPredictionWeight: 0 });
  });

  it('refuses a folder that is not empty, a library with fewer training pairs than a batch, and MR-Pretrain', async () => {
    const plan = planTrainingBundle(library.catalog.database, library.path, source());
    const busy = path.join(library.path, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    await expect(
      writeTrainingBundle(plan, busy, { signal: new AbortController().signal, report: () => undefined }),
    ).rejects.toThrow(/not an empty folder/);
    expect(fs.readdirSync(busy)).toEqual(['notes.txt']);
    const large = resolvePretrainOptions(PretrainRequest.parse({ preset: 'cpu-fast', batchSize: 512 }));
    expect(() =>
      planTrainingBundle(library.catalog.database, library.path, { encoder: resolveEncoder(large), options: large }),
    ).toThrow(/fewer than one batch of 512/);
    const reconstruction = resolvePretrainOptions(PretrainRequest.parse({ preset: 'cpu-fast', objective: 'mr' }));
    expect(() =>
      planTrainingBundle(library.catalog.database, library.path, {
        encoder: resolveEncoder(reconstruction),
        options: reconstruction,
      }),
    ).toThrow(/trains on the desktop only/);
  });
});
