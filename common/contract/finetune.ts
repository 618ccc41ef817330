// Fine-tuning's part of the API contract: what a researcher asks for, what a run records, what the engine receives.
import { z } from 'zod';
import { finetuneMethods } from '../finetune-method-name.js';
import { AugmentationSettings, defaultAugmentation } from './augmentation-settings.js';
import { NoInput, RunReference } from './inputs.js';
import { Job } from './jobs.js';
import { StudyImages } from './training.js';

/**
 * `gmcoord`: encoder + split head with UMD's gradient modulation (the recommended default, after TD-Calib);
 * `full`: the same without modulation (with `frozenSharedLayers`, partial fine-tuning); `adaptor`: frozen encoder,
 * the Adaptor module trained contrastively on cached embeddings, then a linear head; `linear`: a linear probe.
 */
export const FinetuneMethod = z.enum(finetuneMethods);
export type FinetuneMethod = z.infer<typeof FinetuneMethod>;

export const FinetuneRequest = z
  .strictObject({
    /** The pretrained encoder to start from; the newest trained model when left out. */
    modelId: z.string().min(1).optional(),
    task: z.string().min(1).max(200),
    /** `expert`: manual and manifest labels (manual wins); `weak`: labels read from reports by the keyword rules. */
    labelSource: z.enum(['expert', 'weak']).default('expert'),
    /**
     * What the classifier reads: `image+report` (UMD's multimodal tasks) or `image` alone (for images without reports,
     * and always meant for weak labels, which were read from the very reports). Left out: image alone for weak labels.
     */
    inputs: z.enum(['image+report', 'image']).optional(),
    /** Share of each class of the labelled training split; or `labelsPerClass`. */
    labelFraction: z.number().gt(0).max(1).optional(),
    labelsPerClass: z.number().int().min(1).optional(),
    method: FinetuneMethod.default('gmcoord'),
    /**
     * How a study's images enter training, as in pretraining: `one` (each epoch one of its images, drawn anew, so a
     * CT series weighs as much as a single film), `frontal` (drawn from its PA/AP views where it has any) or `every`
     * image (runs recorded before studies were the unit trained so). The label budget is drawn by study whatever this
     * says, and a study is judged once, on the mean of its images' probabilities.
     */
    studyImages: StudyImages.default('one'),
    /**
     * Run TD-Calib (UMD's reconstruction objectives on the task's unlabelled images and reports) first. Left out: yes
     * for the methods that train the encoder, no for the frozen-encoder baselines.
     */
    tdCalib: z.boolean().optional(),
    epochs: z.number().int().min(1).max(1000).default(30),
    batchSize: z.number().int().min(2).max(512).default(16),
    /** Small label budgets still get this many steps; large ones stop at the maximum (CPU time). */
    minimumSteps: z.number().int().min(1).default(60),
    maximumSteps: z.number().int().min(1).default(400),
    peakLearningRate: z.number().positive().max(1).default(1e-4),
    /** The head learns this many times faster than the encoder (UMD: ×10 for classification heads). */
    headLearningRateMultiplier: z.number().positive().max(1000).default(10),
    warmupFraction: z.number().min(0).max(0.5).default(0.1),
    weightDecay: z.number().min(0).max(1).default(0.01),
    gradientClipNorm: z.number().positive().default(1),
    /** Partial fine-tuning: the first n shared layers keep their pretrained weights. */
    frozenSharedLayers: z.number().int().min(0).default(0),
    /** β of GM-Coord's coefficient 1 − tanh(β·ρ) (paper: 0.1). */
    gmCoordBeta: z.number().positive().max(10).default(0.1),
    augmentation: AugmentationSettings.default(defaultAugmentation),
    tdCalibEpochs: z.number().int().min(1).max(200).default(3),
    tdCalibBatchSize: z.number().int().min(2).max(512).default(32),
    tdCalibLearningRate: z.number().positive().max(1).default(1e-4),
    patchMaskRatio: z.number().gt(0).lt(1).default(0.75),
    tokenMaskProbability: z.number().gt(0).lt(1).default(0.15),
    /** Weight of TD-Calib's feature-level terms (UMD: 10⁻⁵; MR-Pretrain uses 0.5). */
    featureLossWeight: z.number().min(0).max(10).default(1e-5),
    emaDecay: z.number().min(0).lt(1).default(0.995),
    /** MAE decoder blocks (UMD: 4 of width 384; CPU default 1 at the encoder's width). */
    decoderLayers: z.number().int().min(1).max(8).default(1),
    adaptorProjectionSize: z.number().int().min(8).max(2048).default(128),
    adaptorLayers: z.number().int().min(1).max(8).default(2),
    adaptorFeedForwardWidth: z.number().int().min(8).max(8192).default(512),
    adaptorEpochs: z.number().int().min(1).max(1000).default(50),
    adaptorBatchSize: z.number().int().min(2).max(4096).default(128),
    adaptorLearningRate: z.number().positive().max(1).default(1e-3),
    checkpointEverySteps: z.number().int().min(1).default(50),
    seed: z.string().min(1).max(100).default('unisight'),
  })
  .refine((request) => request.labelFraction === undefined || request.labelsPerClass === undefined, {
    message: 'Give a label fraction or a count per class, not both.',
  })
  .transform((request) => ({
    ...request,
    tdCalib: request.tdCalib ?? (request.method === 'gmcoord' || request.method === 'full'),
    inputs: request.inputs ?? (request.labelSource === 'weak' ? 'image' : 'image+report'),
  }));
export type FinetuneRequest = z.infer<typeof FinetuneRequest>;

/** How the task's images were split: the encoder's own patient split, so no test patient was seen in pretraining. */
export const TaskSplitSettings = z.strictObject({
  seed: z.string(),
  validationFraction: z.number(),
  testFraction: z.number(),
});
export type TaskSplitSettings = z.infer<typeof TaskSplitSettings>;

export const MetricInterval = z.object({
  estimate: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
});

/**
 * A classifier judged on one split: each metric with its 95% bootstrap interval and the confusion matrix (rows: true
 * class, columns: predicted). Binary tasks add the positive class, the threshold, the ROC curve and the 2×2 counts;
 * multi-class tasks report accuracy and one-vs-rest macro averages (AUROC, sensitivity, specificity, F1).
 */
export const ClassificationEvaluation = z.object({
  examples: z.number().int(),
  classes: z.array(z.string()).min(2),
  /** Images of each class, in the order of `classes`. */
  classCounts: z.array(z.number().int()),
  confusionMatrix: z.array(z.array(z.number().int())),
  metrics: z.object({
    auroc: MetricInterval,
    accuracy: MetricInterval,
    sensitivity: MetricInterval,
    specificity: MetricInterval,
    f1: MetricInterval,
  }),
  binary: z
    .object({
      positiveClass: z.string(),
      positives: z.number().int(),
      threshold: z.number(),
      roc: z.array(z.object({ falsePositiveRate: z.number(), truePositiveRate: z.number() })),
      /**
       * Every judged image with its score and truth (up to 20,000), so the threshold can be moved and a cell of the
       * confusion matrix opened; absent from runs made before it was kept.
       */
      examples: z.array(z.object({ imageId: z.number().int(), score: z.number(), positive: z.boolean() })).optional(),
      confusion: z.object({
        truePositive: z.number().int(),
        falsePositive: z.number().int(),
        trueNegative: z.number().int(),
        falseNegative: z.number().int(),
      }),
    })
    .nullable(),
});
export type ClassificationEvaluation = z.infer<typeof ClassificationEvaluation>;

export const classifierRunStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

/** A fine-tuning run as the UI, the CLI and the server show it. */
export const ClassifierRun = z.object({
  id: z.string(),
  name: z.string(),
  task: z.string(),
  method: FinetuneMethod,
  tdCalib: z.boolean(),
  modelId: z.string().nullable(),
  state: z.enum(classifierRunStates),
  lastJobId: z.string().nullable(),
  options: FinetuneRequest,
  split: TaskSplitSettings,
  /** What the engine reported at start: label counts per split, budget, steps, backend. */
  description: z.record(z.string(), z.unknown()).nullable(),
  validation: ClassificationEvaluation.nullable(),
  test: ClassificationEvaluation.nullable(),
  parameterCount: z.object({ trainable: z.number().int(), frozen: z.number().int() }).nullable(),
  predictions: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ClassifierRun = z.infer<typeof ClassifierRun>;

export const ClassifierMetric = z.object({
  runId: z.string(),
  kind: z.enum(['train', 'validation', 'test']),
  step: z.number().int(),
  values: z.record(z.string(), z.unknown()),
});
export type ClassifierMetric = z.infer<typeof ClassifierMetric>;

/** A labelled task of the library: how many studies carry each value, by kind of source. */
export const LabelTask = z.object({
  task: z.string(),
  expert: z.object({ positive: z.number().int(), negative: z.number().int(), other: z.number().int() }),
  weak: z.object({ positive: z.number().int(), negative: z.number().int(), other: z.number().int() }),
});
export type LabelTask = z.infer<typeof LabelTask>;

export const BudgetPreviewRequest = z.strictObject({
  modelId: z.string().min(1).optional(),
  task: z.string().min(1).max(200),
  labelSource: z.enum(['expert', 'weak']).default('expert'),
  labelFraction: z.number().gt(0).max(1).optional(),
  labelsPerClass: z.number().int().min(1).optional(),
  seed: z.string().min(1).max(100).default('unisight'),
});

/**
 * What a label budget means before a run starts, in studies (labels belong to studies; positives count studies) and
 * the images they hold: the wizard shows it.
 */
export const BudgetPreview = z.object({
  modelId: z.string(),
  modelName: z.string(),
  labelledTrainingStudies: z.number().int(),
  budgetStudies: z.number().int(),
  budgetImages: z.number().int(),
  budgetPositives: z.number().int(),
  validationStudies: z.number().int(),
  testStudies: z.number().int(),
  testPositives: z.number().int(),
});
export type BudgetPreview = z.infer<typeof BudgetPreview>;

export const finetuneApiMethods = {
  'finetune.tasks': {
    input: NoInput,
    output: z.array(LabelTask),
    summary: 'Labelled tasks of the library with their counts, expert and weak labels apart.',
  },
  'finetune.preview': {
    input: BudgetPreviewRequest,
    output: BudgetPreview,
    summary: 'How many labelled images a label budget gives for a task, and the test split it will be judged on.',
  },
  'finetune.start': {
    input: z.strictObject({ name: z.string().min(1).max(200).optional(), options: FinetuneRequest }),
    output: z.object({ run: ClassifierRun, job: Job }),
    summary:
      'Fine-tune a classifier for a labelled task from a pretrained encoder with a label budget and a method (a resumable job).',
  },
  'finetune.resume': {
    input: RunReference,
    output: z.object({ run: ClassifierRun, job: Job }),
    summary: 'Continue a cancelled, failed or interrupted fine-tuning run from its last checkpoint.',
  },
  'finetune.runs': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(ClassifierRun),
    summary: 'Fine-tuning runs, newest first, with their evaluations.',
  },
  'finetune.run': {
    input: RunReference,
    output: z.object({ run: ClassifierRun, metrics: z.array(ClassifierMetric) }),
    summary: 'One fine-tuning run with its curves (loss, GM-Coord coefficients, validation AUROC) and results.',
  },
  'finetune.predictions': {
    input: RunReference,
    output: z.array(
      z.object({
        studyInstanceUid: z.string(),
        seriesInstanceUid: z.string(),
        sopInstanceUid: z.string(),
        patientPseudonym: z.string(),
        score: z.number(),
        predictedClass: z.string().nullable(),
        split: z.string(),
      }),
    ),
    summary: "The classifier's score for every image of the library, highest first, with identifiers for export.",
  },
} as const;
