// A training bundle for the scale-out trainer (scale-out/): the run's data as WebDataset-style tar shards, the
// encoder configuration, tokenizer and training settings, and the trainer itself, so a cluster trains the very model
// the desktop would, on the desktop's split by patient.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import tar from 'tar-stream';
import type { PretrainOptions, TrainingBundleManifest } from '../../../common/contract/index.js';
import type { EncoderConfig } from '../../../common/encoder-config.js';
import {
  minimumEvaluationPairs,
  splitByPatient,
  summariseSplit,
  trainingSubset,
  type PretrainingItem,
} from '../../../ml/data/pretraining-dataset.js';
import { readFileRange } from '../../../ml/data/read-file-range.js';
import { predictableReportWords, type ReportWordTargets } from '../../../ml/data/report-word-targets.js';
import { pairsPerEpoch } from '../../../ml/data/study-sampling.js';
import { readTensorBundle, writeTensorBundle } from '../../../ml/model/tensor-bundle.js';
import { BpeTokenizer, trainBpeTokenizer } from '../../../ml/tokenizer/bpe-tokenizer.js';
import { ApiError } from '../../api/api-error.js';
import { appVersion, packageRoot } from '../install-paths.js';
import { pretrainingItemsForRun } from '../training/affirmed-words.js';

/** Samples per shard: a few hundred megabytes at the paper's image size, so shards stream and resume cheaply. */
const samplesPerShard = 2000;
const splits = ['train', 'validation', 'test'] as const;
const trainerFolder = path.join(packageRoot, 'scale-out');

/** What of the trainer goes into every bundle: its README and every Python file of the scale-out/ folder. */
function trainerFiles(): string[] {
  return (fs.readdirSync(trainerFolder, { recursive: true }) as string[])
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => file === 'README.md' || (file.endsWith('.py') && !file.includes('__pycache__')))
    .sort();
}

export interface BundleSource {
  encoder: EncoderConfig;
  options: PretrainOptions;
  /** Start from these weights and this tokenizer (a desktop model); else fresh weights and a tokenizer trained here. */
  model?: { id: string; weightsFile: string; tokenizer: BpeTokenizer };
}

interface BundlePlan {
  source: BundleSource;
  items: PretrainingItem[];
  split: Record<(typeof splits)[number], number[]>;
  /** The words a run with word prediction asks the image side for, from the training split (as the desktop's). */
  reportWords: ReportWordTargets | null;
  manifest: TrainingBundleManifest;
}

/** What a bundle of this library would hold, worked out before anything is written: shown to the researcher first. */
export function planTrainingBundle(database: Database.Database, libraryPath: string, source: BundleSource): BundlePlan {
  const { options } = source;
  if (options.objective !== 'contrastive')
    throw new ApiError(
      'invalid-input',
      `The scale-out trainer trains the contrastive objective (with word prediction where set); ${options.objective} trains on the desktop only.`,
    );
  const items = pretrainingItemsForRun(database, libraryPath, options.wordPredictionWeight);
  const byPatient = splitByPatient(
    items,
    { validation: options.validationFraction, test: options.testFraction },
    options.seed,
  );
  const split = {
    train: trainingSubset(byPatient.train, options.trainingImagesLimit, options.seed),
    validation: byPatient.validation,
    test: byPatient.test,
  };
  const trainingPairs = pairsPerEpoch(items, split.train, options.studyImages);
  if (trainingPairs < options.batchSize)
    throw new ApiError(
      'invalid-input',
      `The training split has ${trainingPairs} ${options.studyImages === 'every' ? 'image–report pairs' : 'studies with a report'}, fewer than one batch of ${options.batchSize}; import more studies with reports or lower the batch size.`,
    );
  if (split.validation.length < minimumEvaluationPairs || split.test.length < minimumEvaluationPairs)
    throw new ApiError('invalid-input', 'The validation and test splits need at least two image–report pairs each.');
  const reportWords = predictableReportWords(items, split.train, options.wordPredictionWeight);
  // Nothing to predict: the bundle trains the contrastive loss alone, as the desktop run would (bundle.json: weight 0).
  const trained = reportWords ? source : { ...source, options: { ...options, wordPredictionWeight: 0 } };
  const imageSize = items[0]?.imageSize ?? 0;
  const patients = new Set(splits.flatMap((name) => split[name].map((index) => items[index]!.patientKey)));
  return {
    source: trained,
    items,
    split,
    reportWords,
    manifest: {
      pairs: { train: split.train.length, validation: split.validation.length, test: split.test.length },
      patients: patients.size,
      leavesTheMachine: [
        `report text of ${splits.reduce((sum, name) => sum + split[name].length, 0)} image–report pairs, as written (it may name findings, dates and people the reports mention)`,
        `every paired image as ${imageSize} × ${imageSize} 8-bit grey pixels`,
        "the library's patient pseudonyms and catalog ids (no names, patient IDs, accession numbers or file paths)",
        source.model
          ? `the weights and tokenizer of model ${source.model.id} (its vocabulary is drawn from the reports)`
          : 'a tokenizer trained on the training reports (its vocabulary is drawn from the reports)',
      ],
    },
  };
}

function pgm(pixels: Uint8Array, size: number): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${size} ${size}\n255\n`, 'ascii'), pixels]);
}

/** How a bundle's writing is followed: the samples written so far, and a cancel. */
export interface BundleProgress {
  signal: AbortSignal;
  report(written: number, total: number): void;
}

export class BundleCancelled extends Error {}

/** Appends each shard's name to `files` before writing it, so a failure can remove a half-written one too. */
async function writeShards(
  folder: string,
  name: string,
  items: readonly PretrainingItem[],
  reportWords: ReportWordTargets | null,
  indices: readonly number[],
  digest: ReturnType<typeof createHash>,
  files: string[],
  progress: BundleProgress & { done: number; total: number },
): Promise<void> {
  for (let first = 0; first < indices.length; first += samplesPerShard) {
    const file = `${name}-${String(first / samplesPerShard).padStart(6, '0')}.tar`;
    files.push(file);
    const pack = tar.pack();
    const stream = fs.createWriteStream(path.join(folder, file));
    const written = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve).on('error', reject);
      pack.on('error', reject);
      pack.pipe(stream);
    });
    try {
      for (const [offset, index] of indices.slice(first, first + samplesPerShard).entries()) {
        if (progress.signal.aborted) throw new BundleCancelled('cancelled');
        const item = items[index]!;
        const key = String(first + offset).padStart(8, '0');
        const pixels = readFileRange(item.imageFile, item.imageOffset, item.imageSize ** 2);
        if (pixels.length !== item.imageSize ** 2)
          throw new Error(`The cached image of image ${item.imageId} is truncated; re-import its folder.`);
        const meta = Buffer.from(
          JSON.stringify({
            imageId: item.imageId,
            studyId: item.studyId,
            reportId: item.reportId,
            patient: item.patientKey,
            view: item.viewPosition,
            series: item.seriesId,
            // Vocabulary positions (bundle.json's reportWords) of the words the report asserts.
            ...(reportWords ? { words: reportWords.of(item) } : {}),
          }),
        );
        const text = Buffer.from(item.reportText);
        for (const part of [key, text, pixels, meta]) digest.update(part);
        pack.entry({ name: `${key}.pgm` }, pgm(pixels, item.imageSize));
        pack.entry({ name: `${key}.txt` }, text);
        pack.entry({ name: `${key}.json` }, meta);
        progress.report((progress.done += 1), progress.total);
        // Let a cancel arrive, and the written bytes drain, between samples.
        if (progress.done % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // The shard is abandoned (and removed with the rest by the caller): its stream's premature end is expected.
      written.catch(() => undefined);
      pack.destroy();
      stream.destroy();
      throw error;
    }
    pack.finalize();
    await written;
  }
}

/** Writes the planned bundle into `folder` (new or empty); on failure or a cancel nothing of it is left there. */
export async function writeTrainingBundle(
  plan: BundlePlan,
  folder: string,
  progress: BundleProgress,
): Promise<{ files: string[]; bytes: number }> {
  const existing = fs.statSync(folder, { throwIfNoEntry: false });
  if (existing && (!existing.isDirectory() || fs.readdirSync(folder).length > 0))
    throw new ApiError('invalid-input', `${folder} is not an empty folder; name a new or empty one.`);
  const { source, items, split, reportWords } = plan;
  const written: string[] = [];
  try {
    fs.mkdirSync(path.join(folder, 'unisight_train'), { recursive: true });
    const digest = createHash('sha256');
    const counter = { ...progress, done: 0, total: splits.reduce((sum, name) => sum + split[name].length, 0) };
    for (const name of splits)
      await writeShards(folder, name, items, reportWords, split[name], digest, written, counter);
    const tokenizer =
      source.model?.tokenizer ??
      trainBpeTokenizer(
        split.train.map((index) => items[index]!.reportText),
        source.encoder.vocabularySize,
      );
    let initialWeights: string | null = null;
    if (source.model) {
      initialWeights = 'initial.unisight-tensors';
      const model = readTensorBundle(source.model.weightsFile);
      writeTensorBundle(path.join(folder, initialWeights), {
        metadata: { modelId: source.model.id },
        tensors: new Map([...model.tensors].filter(([name]) => name.startsWith('model/'))),
      });
      written.push(initialWeights);
    }
    for (const file of trainerFiles()) {
      fs.copyFileSync(path.join(trainerFolder, file), path.join(folder, file));
      written.push(file);
    }
    const bundle = {
      format: 'unisight-training-bundle',
      formatVersion: 1,
      unisightVersion: appVersion,
      createdAt: new Date().toISOString(),
      encoder: source.encoder,
      tokenizer: tokenizer.data,
      training: source.options,
      initialWeights,
      reportWords: reportWords && {
        words: reportWords.words,
        shares: Array.from(reportWords.shares(items, split.train)),
      },
      dataset: {
        digest: digest.digest('hex'),
        split: summariseSplit(items, source.options),
        pairs: plan.manifest.pairs,
        shards: Object.fromEntries(splits.map((name) => [name, written.filter((file) => file.startsWith(`${name}-`))])),
      },
      manifest: plan.manifest,
    };
    fs.writeFileSync(path.join(folder, 'bundle.json'), `${JSON.stringify(bundle, null, 2)}\n`);
    written.push('bundle.json');
    const bytes = written.reduce((sum, file) => sum + fs.statSync(path.join(folder, file)).size, 0);
    return { files: written, bytes };
  } catch (error) {
    for (const file of written) fs.rmSync(path.join(folder, file), { force: true });
    fs.rmSync(path.join(folder, 'unisight_train'), { recursive: true, force: true });
    throw error;
  }
}
