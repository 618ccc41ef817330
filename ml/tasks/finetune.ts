import fs from 'node:fs';
import path from 'node:path';
import type { ClassificationEvaluation } from '../../common/contract/finetune.js';
import { ClassificationDataset, taskSplit } from '../data/classification-dataset.js';
import { PretrainingBatches } from '../data/pretraining-batches.js';
import { evaluateClassifier } from '../evaluation/classification-evaluation.js';
import { studyExamples } from '../evaluation/study-predictions.js';
import { firstImagePerStudy } from '../data/study-sampling.js';
import { finetuneMethodRegistry } from '../finetune/finetune-method-registry.js';
import type { FittedClassifier } from '../finetune/frozen-encoder-methods.js';
import type { StageContext } from '../finetune/stage-context.js';
import { calibrationCacheFile } from '../finetune/td-calib-cache.js';
import { planTdCalib, runTdCalib, tdCalibSteps } from '../finetune/td-calib-stage.js';
import { loadModelFile } from '../model/load-model.js';
import { writeTensorBundle } from '../model/tensor-bundle.js';
import { finetuneRunFiles } from '../../common/engine/finetune-task.js';
import type { EngineTask } from '../../common/engine/engine-task.js';

/** Labelled images of a budget listed with the run (a 1% budget is a handful; 100% is capped). */
const maximumBudgetExamplesShown = 500;

/**
 * Fine-tunes a classifier for one task (two classes or more) from a pretrained encoder: the encoder's own patient
 * split (so no test patient was seen in pretraining), a stratified label budget from the labelled training images,
 * optionally TD-Calib on all training images first, then the method: GM-Coord or plain fine-tuning of encoder + split
 * head, the Adaptor, or a linear probe. Judged once, on the test split, with bootstrap intervals; then every image of
 * the library is scored.
 */
export const runFinetuning: EngineTask<'finetune'> = async (parameters, context) => {
  const { runDirectory, datasetFile, modelFile, calibrationDirectory, split: splitSettings, options } = parameters;
  const dataset = ClassificationDataset.parse(JSON.parse(fs.readFileSync(datasetFile, 'utf8')));
  const { items, classes } = dataset;
  const budgetRequest =
    options.labelsPerClass !== undefined
      ? { perClass: options.labelsPerClass }
      : { fraction: options.labelFraction ?? 0.01 };
  const {
    split,
    labelledTraining,
    budget: labelled,
    validation,
    test,
  } = taskSplit(items, classes, splitSettings, budgetRequest, options.seed);
  for (const [name, indices] of [
    ['label budget', labelled],
    ['test split', test],
  ] as const) {
    const missing = classes.filter((_, label) => !indices.some((index) => items[index]!.label === label));
    if (missing.length > 0)
      throw new Error(
        `The ${name} of task ${dataset.task} has no image labelled ${missing.join(', ')} (of ${indices.length} images): every class must be there. Label more studies or raise the budget.`,
      );
  }

  const { encoder, tokenizer } = loadModelFile(modelFile, { frozenSharedLayers: options.frozenSharedLayers });
  const batches = new PretrainingBatches(items, tokenizer, encoder.config, options.seed);

  const calibrationPlan = options.tdCalib
    ? planTdCalib(runDirectory, calibrationCacheFile(calibrationDirectory, modelFile, items, split.train, options))
    : null;
  // The description says where it came from; a run's own calibration, finished before a cancel, was computed.
  const calibration = !calibrationPlan
    ? ('none' as const)
    : calibrationPlan.source === 'reused'
      ? ('reused' as const)
      : ('computed' as const);
  const pairs = (indices: readonly number[]) => batches.pairsPerEpoch(indices, options.studyImages);
  const calibrationSteps = calibration === 'computed' ? tdCalibSteps(pairs(split.train), options) : 0;
  const method = finetuneMethodRegistry[options.method];
  const methodSteps = method.steps(pairs(labelled), options);
  const totalWork = calibrationSteps + methodSteps + 1;
  let stageOffset = 0;
  const stage: StageContext = {
    encoder,
    batches,
    items,
    classCount: classes.length,
    options,
    runDirectory,
    task: context,
    progress: (done, message) => context.reportProgress(stageOffset + done, totalWork, message),
  };
  const budgetStudies = firstImagePerStudy(items, labelled);
  const describeRun = {
    backend: context.backend,
    task: dataset.task,
    classes,
    labelSource: dataset.labelSource,
    labelledTrainingImages: labelledTraining.length,
    budgetImages: labelled.length,
    // In studies, as labels are drawn.
    budgetPositives: budgetStudies.filter((index) => items[index]!.label === 1).length,
    budgetByClass: classes.map((_, label) => budgetStudies.filter((index) => items[index]!.label === label).length),
    // The images the budget drew, with their labels, for the run page to show what the classifier learned from.
    budgetExamples: labelled
      .slice(0, maximumBudgetExamplesShown)
      .map((index) => ({ imageId: items[index]!.imageId, label: classes[items[index]!.label!]! })),
    trainingImages: split.train.length,
    validationImages: validation.length,
    testImages: test.length,
    labelledTrainingStudies: firstImagePerStudy(items, labelledTraining).length,
    budgetStudies: budgetStudies.length,
    testStudies: firstImagePerStudy(items, test).length,
    calibration,
    calibrationSteps,
    methodSteps,
  };
  context.reportMetrics({ kind: 'run', step: 0, ...describeRun });

  let fitted: FittedClassifier | null = null;
  const evaluate = (indices: readonly number[], probabilities: Float32Array) =>
    evaluateClassifier(studyExamples(items, indices, probabilities, classes.length), classes, options.seed);
  try {
    if (calibrationPlan && !(await runTdCalib(stage, split.train, calibrationPlan)))
      return { outcome: 'cancelled', result: { stage: 'td-calib' } };
    stageOffset = calibrationSteps;
    fitted = await method.fit(stage, {
      labelled,
      trainingImages: split.train,
      validate: async (score, step) => {
        const evaluation = evaluate(validation, await score(validation));
        context.reportMetrics({
          kind: 'validation',
          step,
          auroc: evaluation.metrics.auroc.estimate,
          accuracy: evaluation.metrics.accuracy.estimate,
        });
      },
    });
    if (!fitted) return { outcome: 'cancelled', result: { stage: options.method } };
    const { score, parameterCount } = fitted;
    stageOffset += methodSteps;
    stage.progress(0, 'evaluating on the test split');
    const validationEvaluation: ClassificationEvaluation = evaluate(validation, await score(validation));
    const testEvaluation: ClassificationEvaluation = evaluate(test, await score(test));
    context.reportMetrics({ kind: 'test', step: methodSteps, evaluation: testEvaluation });

    stage.progress(0, 'scoring every image of the library');
    const all = items.map((_, index) => index);
    const splitOf = new Map<number, string>();
    for (const name of ['train', 'validation', 'test'] as const)
      for (const index of split[name]) splitOf.set(index, name);
    const predictions = await score(all);
    const predictionsFile = path.join(runDirectory, finetuneRunFiles.predictions);
    writeTensorBundle(predictionsFile, {
      metadata: {
        task: dataset.task,
        classes,
        imageIds: items.map((item) => item.imageId),
        split: all.map((index) => splitOf.get(index) ?? 'none'),
      },
      tensors: new Map([['probabilities', { shape: [items.length, classes.length], values: predictions }]]),
    });
    stage.progress(1, 'done');
    return {
      outcome: 'succeeded',
      result: {
        ...describeRun,
        parameterCount,
        ...fitted.describe,
        validation: validationEvaluation,
        test: testEvaluation,
        predictionsFile,
      },
    };
  } finally {
    fitted?.dispose();
    encoder.dispose();
  }
};
