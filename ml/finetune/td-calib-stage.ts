import fs from 'node:fs';
import path from 'node:path';
import { buildReconstructionBatch } from '../data/reconstruction-batch.js';
import { numericSeed } from '../../common/seeded-random.js';
import { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import { AdamW } from '../training/adamw.js';
import { loadVariableGroups, optimizerGroups, saveVariableGroups } from '../training/checkpoint.js';
import { EmaTeacher } from '../training/ema-teacher.js';
import { warmupCosineRate } from '../training/learning-rate-schedule.js';
import { ReconstructionHeads, tdCalibWeights } from '../objectives/reconstruction-objectives.js';
import { batchTensors, disposeBatch } from '../data/pretraining-batches.js';
import { EpochBatches, LeakCheck, type StageContext } from './stage-context.js';
import { rememberCalibration } from './td-calib-cache.js';
import { prefixedTrainable, reconstructionStep } from '../training/reconstruction-step.js';

const files = { checkpoint: 'td-calib-checkpoint.bin', calibrated: 'td-calib-encoder.bin' } as const;

/**
 * Where a run's calibration comes from: its own, finished before a cancel (`finished`), an earlier run's with the same
 * encoder, images and settings (`reused`, td-calib-cache.ts), or the steps it runs now (`computed`). Decided once, so
 * the run's plan of work and what it does agree.
 */
export type CalibrationPlan =
  { source: 'finished' | 'reused'; file: string; cacheFile: string } | { source: 'computed'; cacheFile: string };

export function planTdCalib(runDirectory: string, cacheFile: string): CalibrationPlan {
  const own = path.join(runDirectory, files.calibrated);
  if (fs.existsSync(own)) return { source: 'finished', file: own, cacheFile };
  if (fs.existsSync(cacheFile)) return { source: 'reused', file: cacheFile, cacheFile };
  return { source: 'computed', cacheFile };
}

/** TD-Calib's steps for an epoch of `pairs` image–report pairs (its images, or its studies, one image each). */
export function tdCalibSteps(pairs: number, options: StageContext['options']): number {
  return Math.max(1, Math.floor(pairs / options.tdCalibBatchSize)) * options.tdCalibEpochs;
}

/**
 * TD-Calib (UMD §3.2): the reconstruction objectives continued on the task's own images and reports, labels unused,
 * before any supervised step; warm-up over 10% then cosine, as the reference's `get_cosine_schedule_with_warmup`.
 * Checkpointed every N steps; a finished calibration is kept, so a resumed run goes straight to the next stage, and
 * is remembered under the plan's cache file, so a later run with the same encoder, images and settings loads it
 * instead of calibrating again. Returns `false` when cancelled.
 */
export async function runTdCalib(
  stage: StageContext,
  images: readonly number[],
  plan: CalibrationPlan,
): Promise<boolean> {
  const { encoder, options, task } = stage;
  const calibrated = path.join(stage.runDirectory, files.calibrated);
  const checkpointFile = path.join(stage.runDirectory, files.checkpoint);
  const totalSteps = tdCalibSteps(stage.batches.pairsPerEpoch(images, options.studyImages), options);
  if (plan.source !== 'computed') {
    loadVariableGroups(plan.file, { encoder: encoder.store.variables });
    // A reused calibration was planned as no steps of this run, its own finished one as all of them.
    if (plan.source === 'reused') {
      fs.rmSync(checkpointFile, { force: true });
      stage.progress(
        0,
        'TD-Calib reused: an earlier run calibrated the same encoder on the same images with the same settings',
      );
    } else {
      stage.progress(totalSteps, 'TD-Calib already done');
    }
    return true;
  }
  const seed = numericSeed(`${options.seed}:td-calib`);
  const teacherModel = new ContrastiveEncoder(encoder.config, seed);
  const heads = new ReconstructionHeads(encoder, options.decoderLayers, seed);
  const ema = new EmaTeacher(encoder.store.variables, options.emaDecay, teacherModel.store.variables);
  const optimizer = new AdamW(prefixedTrainable({ encoder: encoder.store, heads: heads.store }), {
    beta1: 0.9,
    beta2: 0.98,
    epsilon: 1e-8,
    weightDecay: options.weightDecay,
  });
  const groups = {
    encoder: encoder.store.variables,
    heads: heads.store.variables,
    teacher: teacherModel.store.variables,
    ...optimizerGroups('adam', optimizer),
  };
  const warmupSteps = Math.round(totalSteps * 0.1);
  const weights = { ...tdCalibWeights, feature: options.featureLossWeight };
  try {
    let step = 0;
    if (fs.existsSync(checkpointFile)) {
      const state = loadVariableGroups(checkpointFile, groups);
      step = Number(state.step ?? 0);
      optimizer.stepCount = Number(state.optimizerSteps ?? step);
      task.log('info', `Resuming TD-Calib at step ${step} of ${totalSteps}.`);
    }
    const checkpoint = () => saveVariableGroups(checkpointFile, groups, { step, optimizerSteps: optimizer.stepCount });
    const leaks = new LeakCheck();
    const epochs = new EpochBatches(stage.batches, images, options.tdCalibBatchSize, options.studyImages);
    while (step < totalSteps) {
      if (task.isCancelled()) {
        await checkpoint();
        return false;
      }
      const host = stage.batches.build(epochs.at(step), { settings: options.augmentation, step });
      const masks = buildReconstructionBatch(host, encoder.config, options, `${options.seed}:td-calib`, step);
      const tensors = batchTensors(host, encoder.config);
      const learningRate = warmupCosineRate(step, totalSteps, warmupSteps, options.tdCalibLearningRate);
      let result: Awaited<ReturnType<typeof reconstructionStep>>;
      try {
        result = await reconstructionStep(
          encoder,
          heads,
          { model: teacherModel, ema },
          optimizer,
          { ...tensors, batch: masks },
          weights,
          learningRate,
          options.gradientClipNorm,
        );
      } finally {
        disposeBatch(tensors);
      }
      if (!Number.isFinite(result.total))
        throw new Error(
          `The TD-Calib loss became ${result.total} at step ${step + 1}; lower its learning rate (now ${options.tdCalibLearningRate}).`,
        );
      step += 1;
      leaks.after(step);
      stage.progress(step, `TD-Calib step ${step}/${totalSteps}, loss ${result.total.toFixed(3)}`);
      if (step % 5 === 0 || step === totalSteps)
        task.reportMetrics({
          kind: 'train',
          stage: 'td-calib',
          step,
          learningRate,
          loss: result.total,
          maskedImage: result.maskedImage,
          maskedLanguage: result.maskedLanguage,
          textFeature: result.textFeature,
          imageFeature: result.imageFeature,
        });
      if (step % options.checkpointEverySteps === 0) await checkpoint();
      await task.yieldToEvents();
    }
    await saveVariableGroups(calibrated, { encoder: encoder.store.variables }, { steps: totalSteps });
    fs.rmSync(checkpointFile, { force: true });
    try {
      rememberCalibration(calibrated, plan.cacheFile);
    } catch (error) {
      // The run has its calibration; only later runs lose the shortcut.
      task.log('warn', `TD-Calib finished but could not be kept for later runs: ${(error as Error).message}`);
    }
    return true;
  } finally {
    optimizer.dispose();
    heads.dispose();
    ema.dispose();
    teacherModel.dispose();
  }
}
