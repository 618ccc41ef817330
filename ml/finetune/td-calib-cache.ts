import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FinetuneRequest } from '../../common/contract/finetune.js';
import type { ClassificationItem } from '../data/classification-dataset.js';

/**
 * Raised with any change to what TD-Calib computes (objectives, masking, schedule), so older results are not reused.
 */
const calibrationVersion = 1;

/**
 * The settings a TD-Calib result depends on. Labels, the label budget, the method and `inputs` are not among them:
 * the calibration reads every training image and report, never a label, so runs at different budgets, with
 * different methods or on different tasks of the same library share one.
 */
const calibrationSettings = [
  'seed',
  'studyImages',
  'tdCalibEpochs',
  'tdCalibBatchSize',
  'tdCalibLearningRate',
  'patchMaskRatio',
  'tokenMaskProbability',
  'featureLossWeight',
  'emaDecay',
  'decoderLayers',
  'weightDecay',
  'gradientClipNorm',
  'augmentation',
  'frozenSharedLayers',
] as const satisfies ReadonlyArray<keyof FinetuneRequest>;

/**
 * Where a finished TD-Calib for exactly these inputs is kept for later runs: named by a digest of the encoder file, the
 * settings above and every calibration image with its report, in order. A label-efficiency study runs the same
 * calibration once instead of once per budget and method. The backend is not part of it: another backend would give
 * the same calibration up to floating-point rounding. Entries are as large as the encoder and are never evicted.
 */
export function calibrationCacheFile(
  directory: string,
  modelFile: string,
  items: readonly ClassificationItem[],
  images: readonly number[],
  options: FinetuneRequest,
): string {
  const model = fs.statSync(modelFile);
  const digest = createHash('sha256');
  digest.update(
    JSON.stringify({
      calibrationVersion,
      modelFile: path.resolve(modelFile),
      modelBytes: model.size,
      modelModified: model.mtimeMs,
    }),
  );
  digest.update(JSON.stringify(calibrationSettings.map((name) => options[name])));
  for (const index of images) {
    const item = items[index]!;
    digest.update(JSON.stringify([item.imageId, item.imageFile, item.imageOffset, item.imageSize, item.reportText]));
  }
  return path.join(directory, `${digest.digest('hex')}.bin`);
}

/**
 * Keeps a run's finished calibration under its cache name: a hard link (no second copy on disk; it outlives the run's
 * folder), or a copy where links are not possible, made under a temporary name and renamed so a reader never sees half.
 */
export function rememberCalibration(calibratedFile: string, cacheFile: string): void {
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const partial = `${cacheFile}.${process.pid}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    fs.linkSync(calibratedFile, partial);
  } catch {
    fs.copyFileSync(calibratedFile, partial);
  }
  fs.renameSync(partial, cacheFile);
}
