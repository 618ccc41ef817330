// The one description of Unisight's core API. Electron IPC, the HTTP/WebSocket server and the CLI all dispatch
// through `apiMethods`, validating every input with these schemas at their boundary, and the renderer's
// transports are typed from it. Adding a capability means adding it here first.
import { z } from 'zod';
import { AugmentationSettings, defaultAugmentation } from '../../ml/data/image-augmentation.js';
import { defaultTextSampling, noTextSampling, TextSamplingSettings } from '../../ml/data/text-sampling.js';
import { DatasetSplitSummary } from '../../ml/data/dataset-split-summary.js';
import { ImageProbeResult } from '../../ml/evaluation/image-probe.js';
import { RetrievalMetrics } from '../../ml/evaluation/retrieval-recall.js';
import { ReportLabelRules } from '../core/labels/report-label-rules.js';
import { StudyFilter } from '../../common/contract/study-filter.js';
import {
  Cohort,
  CohortMember,
  ReportMatch,
  SearchRequest,
  SearchResponse,
  SimilarRequest,
} from '../../common/contract/search.js';
import {
  BudgetPreview,
  BudgetPreviewRequest,
  ClassifierMetric,
  ClassifierRun,
  FinetuneRequest,
  LabelTask,
} from './finetune-contract.js';
import { pretrainingObjectives } from '../../common/engine/pretrain-task.js';
import {
  EncoderConfig,
  encoderPresets,
  ImagePositionInitialisation,
  ModalityIdentifier,
  SharedBlockParts,
  presetTraining,
} from '../../common/encoder-config.js';

export const jobKinds = [
  'engine.selfcheck',
  'library.import',
  'model.pretrain',
  'model.finetune',
  'model.embed',
] as const;
export const JobKind = z.enum(jobKinds);
export type JobKind = z.infer<typeof JobKind>;

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobState = z.enum(jobStates);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  unit: z.string(),
  ratePerSecond: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.string(),
  kind: JobKind,
  state: JobState,
  parameters: z.record(z.string(), z.unknown()),
  progress: JobProgress,
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const backendNames = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm-openblas',
  'wasm-threaded',
  'wasm',
  'cpu',
] as const;
export const BackendName = z.enum(backendNames);
export type BackendName = z.infer<typeof BackendName>;

export const BackendAttempt = z.object({
  backend: BackendName,
  chosen: z.boolean(),
  reason: z.string(),
});
export type BackendAttempt = z.infer<typeof BackendAttempt>;

export const EngineStatus = z.object({
  state: z.enum(['stopped', 'starting', 'ready', 'crashed']),
  processId: z.number().int().nullable(),
  backend: BackendName.nullable(),
  threads: z.number().int().nullable(),
  /** The GPU the backend runs on (a WebGPU adapter: vendor, architecture, memory limits); null on the CPU routes. */
  device: z.string().nullable(),
  attempts: z.array(BackendAttempt),
  lastExitReason: z.string().nullable(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const LibraryInfo = z.object({
  path: z.string(),
  databaseFile: z.string(),
  schemaVersion: z.number().int(),
  databaseBytes: z.number().int().nonnegative(),
  /** Folder and file names are catalogued as keyed pseudonyms (switched on by an import, for good). */
  pathsPseudonymised: z.boolean(),
});
export type LibraryInfo = z.infer<typeof LibraryInfo>;

export const DecoderRoute = z.object({
  /** 'native': a system library through an optional addon; 'webassembly': Cornerstone's build of the same library. */
  route: z.enum(['native', 'webassembly']),
  reason: z.string(),
});
export type DecoderRoute = z.infer<typeof DecoderRoute>;

export const AppInfo = z.object({
  appVersion: z.string(),
  nodeVersion: z.string(),
  electronVersion: z.string().nullable(),
  platform: z.string(),
  architecture: z.string(),
  library: LibraryInfo,
  engine: EngineStatus,
  /** How import workers decode JPEG 2000. */
  jpeg2000Decoder: DecoderRoute,
  /** The desktop app can show the OS folder picker; browser mode types a path instead. */
  nativeFolderPicker: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const LogEntry = z.object({
  time: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;

export const ImportSummary = z.object({
  folder: z.string(),
  files: z.object({ total: z.number().int(), unchanged: z.number().int(), processed: z.number().int() }),
  outcomes: z.object({
    imported: z.number().int(),
    duplicate: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
  reasons: z.array(z.object({ outcome: z.string(), reason: z.string(), count: z.number().int() })),
  images: z.number().int(),
  studies: z.number().int(),
  studiesWithoutReports: z.number().int(),
  reports: z.object({ linked: z.number().int(), unmatched: z.number().int() }),
  tables: z.array(
    z.object({
      file: z.string(),
      rows: z.number().int(),
      matchedRows: z.number().int(),
      unmatchedRows: z.number().int(),
      labelsWritten: z.number().int(),
      problems: z.array(z.string()),
      delimiter: z.string(),
      encoding: z.string(),
    }),
  ),
  unreadableFolders: z.array(z.string()),
  /** The import's worker processes' peak resident sets, summed; absent from runs made before workers were processes. */
  workerPeakResidentBytes: z.number().nonnegative().optional(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const tableMatchKinds = [
  'accession-number',
  'study-instance-uid',
  'patient-id-and-study-date',
  'file-path',
] as const;

/** How one report/label table's rows find their study, and which columns carry report text and labels. */
export const ReportTableMapping = z.strictObject({
  file: z.string().min(1).max(4096),
  match: z.enum(tableMatchKinds),
  keyColumn: z.string().min(1).max(200),
  dateColumn: z.string().min(1).max(200).optional(),
  textColumn: z.string().min(1).max(200).optional(),
  labelColumns: z.array(z.string().min(1).max(200)).max(100).default([]),
});
export type ReportTableMapping = z.infer<typeof ReportTableMapping>;

export const ImportParameters = z.strictObject({
  folder: z.string().min(1).max(4096),
  tables: z.array(ReportTableMapping).max(20).default([]),
  keepIdentifiers: z.boolean().default(false),
  /**
   * Catalogue folder and file names as keyed pseudonyms from now on (only a library without files can switch; once on,
   * every import pseudonymises).
   */
  pseudonymisePaths: z.boolean().default(false),
  /**
   * Without `tables`, link reports as the folder's unisight-manifest.json maps them; false ignores the manifest. Tables
   * given always replace the manifest's.
   */
  useManifest: z.boolean().default(true),
});
export type ImportParameters = z.infer<typeof ImportParameters>;

export const LibrarySummary = z.object({
  patients: z.number().int(),
  studies: z.number().int(),
  series: z.number().int(),
  images: z.number().int(),
  reports: z.number().int(),
  unmatchedReports: z.number().int(),
  studiesWithoutReports: z.number().int(),
  labels: z.number().int(),
  modalities: z.array(z.string()),
  bodyParts: z.array(z.string()),
  labelTasks: z.array(z.string()),
  /** Each task's stored values with how many studies carry each, so a filter offers them rather than asking. */
  labelValues: z.record(z.string(), z.array(z.object({ value: z.string(), studies: z.number().int() }))),
  viewPositions: z.array(z.string()),
  /** Fine-tuned classifiers whose predictions are stored, newest first: the prediction filter offers them. */
  classifiers: z.array(
    z.object({ runId: z.string(), name: z.string(), task: z.string(), predictedClasses: z.array(z.string()) }),
  ),
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

export { StudyFilter } from '../../common/contract/study-filter.js';

export const StudyListItem = z.object({
  id: z.number().int(),
  studyInstanceUid: z.string(),
  patientPseudonym: z.string(),
  studyDate: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  description: z.string().nullable(),
  modalities: z.string().nullable(),
  bodyParts: z.string().nullable(),
  imageCount: z.number().int(),
  firstImageId: z.number().int().nullable(),
  hasReport: z.boolean(),
  /** Under a classifier filter: the highest score that classifier gave an image of the study (of the class chosen). */
  predictionScore: z.number().nullable().optional(),
});
export type StudyListItem = z.infer<typeof StudyListItem>;

export const StudyDetail = z.object({
  study: StudyListItem,
  images: z.array(
    z.object({
      id: z.number().int(),
      sopInstanceUid: z.string(),
      seriesInstanceUid: z.string(),
      seriesNumber: z.number().int().nullable(),
      seriesDescription: z.string().nullable(),
      /** The image's place in its series (Instance Number); the images come ordered by series, then by this. */
      instanceNumber: z.number().int().nullable(),
      modality: z.string().nullable(),
      bodyPart: z.string().nullable(),
      viewPosition: z.string().nullable(),
      rows: z.number().int(),
      columns: z.number().int(),
      numberOfFrames: z.number().int(),
      transferSyntaxUid: z.string(),
      /** The transfer syntax's name ("JPEG 2000 Lossless"), or the UID when it is not one the importer knows. */
      transferSyntaxName: z.string(),
      photometricInterpretation: z.string(),
      windowCenter: z.number().nullable(),
      windowWidth: z.number().nullable(),
    }),
  ),
  reports: z.array(z.object({ id: z.number().int(), source: z.string(), sourcePath: z.string(), text: z.string() })),
  labels: z.array(z.object({ task: z.string(), value: z.string(), source: z.string() })),
});
export type StudyDetail = z.infer<typeof StudyDetail>;

/** One top-level element of an image's DICOM file, as the viewer's tag panel shows it. */
export const ImageTag = z.object({
  /** "(0010,0020)". */
  tag: z.string(),
  /** The data dictionary's keyword; null for a private or unknown tag. */
  name: z.string().nullable(),
  vr: z.string().nullable(),
  value: z.string(),
});
export type ImageTag = z.infer<typeof ImageTag>;

export const ImportedFile = z.object({
  path: z.string(),
  outcome: z.enum(['imported', 'duplicate', 'skipped', 'failed']),
  reason: z.string().nullable(),
  kind: z.string(),
  /** For a duplicate: the file that was kept. */
  duplicateOf: z.string().nullable(),
});
export type ImportedFile = z.infer<typeof ImportedFile>;

export const ImportPreview = z.object({
  folder: z.string(),
  files: z.object({
    dicomCandidates: z.number().int(),
    reportTexts: z.number().int(),
    tables: z.number().int(),
    ignored: z.number().int(),
  }),
  manifest: z.object({
    found: z.boolean(),
    error: z.string().nullable(),
    tables: z.array(ReportTableMapping),
    /** The manifest file as written, for the researcher to read (null when it could not be read). */
    text: z.string().nullable(),
  }),
  tables: z.array(
    z.object({
      file: z.string(),
      columns: z.array(z.string()),
      rows: z.number().int(),
      delimiter: z.string(),
      encoding: z.string(),
      problems: z.array(z.string()),
    }),
  ),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

/** A folder's subfolders, for choosing an import folder where no operating-system dialog exists (browser mode). */
export const FolderListing = z.object({
  folder: z.string(),
  /** The folder above; null at the root. */
  parent: z.string().nullable(),
  home: z.string(),
  /** Subfolder names, hidden ones left out, in natural order. */
  folders: z.array(z.string()),
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListing>;

export const RenderedImage = z.object({
  dataUrl: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  windowCenter: z.number(),
  windowWidth: z.number(),
  defaultWindowCenter: z.number(),
  defaultWindowWidth: z.number(),
});
export type RenderedImage = z.infer<typeof RenderedImage>;

const NoInput = z.strictObject({});
const JobReference = z.strictObject({ jobId: z.string().min(1).max(100) });

export const SelfCheckParameters = z.strictObject({
  iterations: z.number().int().min(1).max(100_000).default(60),
  matrixSize: z.number().int().min(16).max(2048).default(256),
});
export type SelfCheckParameters = z.infer<typeof SelfCheckParameters>;

export const encoderPresetNames = Object.keys(encoderPresets) as Array<keyof typeof encoderPresets>;

/** Model settings a user may change on top of a preset; every other field comes from the preset. */
export const EncoderOverrides = z.strictObject({
  architecture: z.enum(['shared', 'separate']).optional(),
  width: z.number().int().min(16).max(2048).optional(),
  heads: z.number().int().min(1).max(32).optional(),
  sharedLayers: z.number().int().min(1).max(48).optional(),
  earlyLayers: z.number().int().min(0).max(12).optional(),
  lateLayers: z.number().int().min(0).max(12).optional(),
  frozenSharedLayers: z.number().int().min(0).max(48).optional(),
  modalityIdentifier: ModalityIdentifier.optional(),
  imageSize: z.number().int().min(32).max(512).optional(),
  imagePositionInitialisation: ImagePositionInitialisation.optional(),
  sharedBlockParts: SharedBlockParts.optional(),
  imageStem: z.enum(['linear', 'convolutional']).optional(),
  parallelBranchLayers: z.array(z.number().int().min(0).max(60)).max(12).optional(),
  patchSize: z.number().int().min(4).max(64).optional(),
  vocabularySize: z.number().int().min(64).max(65_536).optional(),
  maximumTextTokens: z.number().int().min(8).max(512).optional(),
  embeddingSize: z.number().int().min(16).max(2048).optional(),
});
export type EncoderOverrides = z.infer<typeof EncoderOverrides>;

const epochs = z.number().int().min(1).max(1000);
const peakLearningRate = z.number().positive().max(1);

/** What a caller asks for. Epochs and peak learning rate left out come from the preset (`presetTraining`). */
export const PretrainRequest = z.strictObject({
  preset: z
    .enum(encoderPresetNames as [keyof typeof encoderPresets, ...Array<keyof typeof encoderPresets>])
    .default('cpu-fast'),
  encoder: EncoderOverrides.default({}),
  /**
   * `contrastive`: symmetric InfoNCE (the shared-encoder paper); `mr`: UMD's MR-Pretrain (masked image and language
   * modelling, feature-level reconstruction against an EMA teacher, image–text matching); `mr+contrastive`: both.
   */
  objective: z.enum(pretrainingObjectives).default('contrastive'),
  epochs: epochs.optional(),
  batchSize: z.number().int().min(2).max(1024).default(32),
  peakLearningRate: peakLearningRate.optional(),
  /** Of all steps; the rest follow a cosine down to zero. */
  warmupFraction: z.number().min(0).max(0.5).default(0.1),
  weightDecay: z.number().min(0).max(1).default(0.1),
  gradientClipNorm: z.number().positive().default(1),
  validationFraction: z.number().min(0.02).max(0.4).default(0.1),
  testFraction: z.number().min(0.02).max(0.4).default(0.1),
  /**
   * Train on at most this many training-split images (the validation and test splits stay whole): for data-size
   * studies.
   */
  trainingImagesLimit: z.number().int().min(2).optional(),
  augmentation: AugmentationSettings.default(defaultAugmentation),
  /** Reports read as sampled sentences and short spans as well as whole (defaultTextSampling when left out). */
  textSampling: TextSamplingSettings.optional(),
  checkpointEverySteps: z.number().int().min(1).default(50),
  metricsEverySteps: z.number().int().min(1).default(5),
  seed: z.string().min(1).max(100).default('unisight'),
});
export type PretrainRequest = z.infer<typeof PretrainRequest>;

/** A request with everything decided: what a run records and the engine trains with. */
export const PretrainOptions = PretrainRequest.extend({
  epochs,
  peakLearningRate,
  // Runs recorded before text sampling read whole reports, and resume that way.
  textSampling: TextSamplingSettings.default(noTextSampling),
});
export type PretrainOptions = z.infer<typeof PretrainOptions>;

export function resolvePretrainOptions(request: PretrainRequest): PretrainOptions {
  const preset = presetTraining[request.preset];
  return PretrainOptions.parse({
    ...request,
    epochs: request.epochs ?? preset.epochs,
    peakLearningRate: request.peakLearningRate ?? preset.peakLearningRate,
    textSampling: request.textSampling ?? defaultTextSampling,
  });
}

/** What the core hands the engine: the resolved options and where the run keeps its files. */
export const PretrainTaskParameters = z.strictObject({
  runDirectory: z.string(),
  datasetFile: z.string(),
  encoder: EncoderConfig,
  options: PretrainOptions,
});
export type PretrainTaskParameters = z.infer<typeof PretrainTaskParameters>;

export { ImageProbeResult, RetrievalMetrics };

export { DatasetSplitSummary };

export const trainingRunStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const TrainingRunState = z.enum(trainingRunStates);
export type TrainingRunState = z.infer<typeof TrainingRunState>;

export const TrainingRun = z.object({
  id: z.string(),
  kind: z.literal('pretrain'),
  name: z.string(),
  state: TrainingRunState,
  lastJobId: z.string().nullable(),
  options: PretrainOptions,
  encoder: EncoderConfig,
  dataset: DatasetSplitSummary,
  backend: z.string().nullable(),
  step: z.number().int(),
  totalSteps: z.number().int().nullable(),
  parameterCount: z.number().int().nullable(),
  validation: RetrievalMetrics.nullable(),
  test: RetrievalMetrics.nullable(),
  /** The image-side linear probe per labelled task once a run succeeds; null before, or without labels. */
  imageProbe: z.array(ImageProbeResult).nullable(),
  modelId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TrainingRun = z.infer<typeof TrainingRun>;

export const TrainingMetric = z.object({
  runId: z.string(),
  kind: z.enum(['train', 'validation', 'test', 'image-probe']),
  step: z.number().int(),
  values: z.record(z.string(), z.unknown()),
});
export type TrainingMetric = z.infer<typeof TrainingMetric>;

/** A path the caller names on this machine: absolute, since the server's working directory means nothing to them. */
export const AbsolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path');

export const ModelRecord = z.object({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['trained', 'imported']),
  runId: z.string().nullable(),
  architecture: z.enum(['shared', 'separate']),
  config: EncoderConfig,
  tokenizerFingerprint: z.string(),
  split: DatasetSplitSummary,
  metrics: z.object({
    validation: RetrievalMetrics.nullable(),
    test: RetrievalMetrics.nullable(),
    imageProbe: z.array(ImageProbeResult).nullable(),
  }),
  weightsFile: z.string(),
  weightsBytes: z.number().int(),
  embeddingsFile: z.string().nullable(),
  embeddedImages: z.number().int(),
  embeddedReports: z.number().int(),
  createdAt: z.string(),
});
export type ModelRecord = z.infer<typeof ModelRecord>;

export const EncoderPreset = z.object({
  name: z.enum(encoderPresetNames as [keyof typeof encoderPresets, ...Array<keyof typeof encoderPresets>]),
  summary: z.string(),
  /** The published setting rather than a CPU scale-down. */
  paperSetting: z.boolean(),
  encoder: EncoderConfig,
  /** Epochs and peak learning rate a run of this preset uses unless told otherwise. */
  training: z.object({ epochs, peakLearningRate }),
  parameterCount: z.number().int(),
});
export type EncoderPreset = z.infer<typeof EncoderPreset>;

const RunReference = z.strictObject({ runId: z.string().min(1).max(100) });

export const apiMethods = {
  'app.info': {
    input: NoInput,
    output: AppInfo,
    summary: 'Versions, library, ML backend in use and why others were skipped.',
  },
  'jobs.list': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(Job),
    summary: 'Recent jobs, newest first, with their state and progress.',
  },
  'jobs.get': { input: JobReference, output: Job, summary: 'One job by id.' },
  'jobs.cancel': {
    input: JobReference,
    output: Job,
    summary: 'Cancel a queued or running job; work done so far is kept.',
  },
  'engine.selfcheck': {
    input: SelfCheckParameters,
    output: Job,
    summary: 'Start an engine self-check job: correctness, leak check and matmul throughput of the ML backend.',
  },
  'import.start': {
    input: ImportParameters,
    output: Job,
    summary: 'Start importing a folder of DICOM studies and reports into the library (a resumable job).',
  },
  'import.preview': {
    input: z.strictObject({ folder: z.string().min(1).max(4096) }),
    output: ImportPreview,
    summary:
      'What a folder holds before importing it: DICOM candidates, report texts, tables with their columns, the manifest.',
  },
  'system.chooseFolder': {
    input: NoInput,
    output: z.object({ folder: z.string().nullable() }),
    summary: 'Let the user pick a folder with the operating system dialog (desktop app only).',
  },
  'system.listFolders': {
    input: z.strictObject({ folder: z.string().min(1).max(4096).optional() }),
    output: FolderListing,
    summary:
      "A folder's subfolders (names only; the home folder when none is named), to pick an import folder in browser mode.",
  },
  'import.files': {
    input: z.strictObject({
      folder: z.string().min(1).max(4096).optional(),
      outcome: z.enum(['imported', 'duplicate', 'skipped', 'failed']).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(100_000).default(500),
    }),
    output: z.object({ total: z.number().int(), files: z.array(ImportedFile) }),
    summary: 'The per-file import log: every file seen with its outcome and reason.',
  },
  'library.summary': {
    input: NoInput,
    output: LibrarySummary,
    summary: 'Counts of what the library holds and the values its filters offer.',
  },
  'library.studies': {
    input: z.strictObject({
      filter: StudyFilter.default({}),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    output: z.object({ total: z.number().int(), studies: z.array(StudyListItem) }),
    summary: 'Studies matching the filters, newest first, a page at a time.',
  },
  'library.study': {
    input: z.strictObject({ studyId: z.number().int().positive() }),
    output: StudyDetail,
    summary: 'One study with its images, reports and labels.',
  },
  'library.thumbnail': {
    input: z.strictObject({ imageId: z.number().int().positive() }),
    output: z.object({ dataUrl: z.string() }),
    summary: 'A PNG thumbnail of one image as a data URL.',
  },
  'library.renderImage': {
    input: z.strictObject({
      imageId: z.number().int().positive(),
      windowCenter: z.number().finite().optional(),
      windowWidth: z.number().finite().positive().optional(),
      maximumSize: z.number().int().min(64).max(4096).default(1024),
    }),
    output: RenderedImage,
    summary: 'An image rendered from its DICOM file with a window (centre/width in modality units), as a PNG data URL.',
  },
  'library.imageTags': {
    input: z.strictObject({ imageId: z.number().int().positive() }),
    output: z.object({ tags: z.array(ImageTag), withheld: z.number().int() }),
    summary:
      "An image's DICOM attributes, named: the Patient ID as its pseudonym, names and the patient's identifying attributes withheld.",
  },
  'library.unmatchedReports': {
    input: z.strictObject({ limit: z.number().int().min(1).max(10_000).default(500) }),
    output: z.array(
      z.object({
        id: z.number().int(),
        source: z.string(),
        sourcePath: z.string(),
        matchKey: z.string().nullable(),
        excerpt: z.string(),
      }),
    ),
    summary: 'Reports no study was found for, with where they came from.',
  },
  'labels.fromReports': {
    /** Without rules, the library's own (the last set given; the chest radiograph rules at first). */
    input: z.strictObject({ rules: ReportLabelRules.optional() }),
    output: z.object({
      studiesLabelled: z.number().int(),
      labelsWritten: z.number().int(),
      positivesByTask: z.record(z.string(), z.number().int()),
    }),
    summary:
      'Weak labels from report text by keyword rules that respect negation (source "report-rules"); replaces the last run\'s. The rules become the library\'s: search reads negation and synonyms by them too.',
  },
  'labels.queue': {
    input: z.strictObject({
      task: z.string().min(1).max(200),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
    output: z.object({
      total: z.number().int(),
      unlabelled: z.number().int(),
      items: z.array(
        z.object({
          studyId: z.number().int(),
          imageId: z.number().int().nullable(),
          reportText: z.string(),
          manualValue: z.string().nullable(),
        }),
      ),
    }),
    summary:
      'Studies to label by hand for a task (those without a manual label first), with their first image and report.',
  },
  'labels.set': {
    input: z.strictObject({
      studyId: z.number().int().positive(),
      task: z.string().min(1).max(200).regex(/\S/),
      value: z.enum(['positive', 'negative']).nullable(),
    }),
    output: z.object({ studyId: z.number().int(), task: z.string(), value: z.string().nullable() }),
    summary: 'Set or clear a study\'s manual label for a task (source "manual", which outranks manifest labels).',
  },
  'labels.weakAgreement': {
    input: NoInput,
    output: z.object({
      tasks: z.array(z.object({ task: z.string(), studiesCompared: z.number().int(), agreeing: z.number().int() })),
      studiesCompared: z.number().int(),
      studiesAgreeingOnEveryTask: z.number().int(),
    }),
    summary: "How often the weak labels agree with the library's expert or manifest labels, per task and per study.",
  },
  'training.presets': {
    input: NoInput,
    output: z.object({ presets: z.array(EncoderPreset), defaults: PretrainRequest }),
    summary: 'The encoder presets (cpu-fast, balanced, paper) and the default training options.',
  },
  'training.start': {
    input: z.strictObject({
      name: z.string().min(1).max(200).optional(),
      options: PretrainRequest.default(PretrainRequest.parse({})),
    }),
    output: z.object({ run: TrainingRun, job: Job }),
    summary: "Start pretraining an encoder on the library's image–report pairs (a resumable job).",
  },
  'training.resume': {
    input: RunReference,
    output: z.object({ run: TrainingRun, job: Job }),
    summary: 'Continue a cancelled, failed or interrupted run from its last checkpoint.',
  },
  'training.runs': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(TrainingRun),
    summary: 'Training runs, newest first, with their settings and final metrics.',
  },
  'training.run': {
    input: RunReference,
    output: z.object({ run: TrainingRun, metrics: z.array(TrainingMetric) }),
    summary: 'One run with its whole metric history (training curves, validation and test recall).',
  },
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
  'search.query': {
    input: SearchRequest,
    output: SearchResponse,
    summary:
      "Images by free text: semantic (the model's text encoder), lexical (report words, negation-aware) or hybrid, with filters; each result says why it matched.",
  },
  'search.similar': {
    input: SimilarRequest,
    output: SearchResponse,
    summary: 'Images most like one image of the library.',
  },
  'search.reportsForImage': {
    input: z.strictObject({
      imageId: z.number().int().positive(),
      k: z.number().int().min(1).max(100).default(5),
      modelId: z.string().min(1).max(100).optional(),
    }),
    output: z.array(ReportMatch),
    summary: "The reports nearest to an image in the model's shared space (image → reports).",
  },
  'search.index': {
    input: z.strictObject({ modelId: z.string().min(1).max(100).optional() }),
    output: z.object({
      modelId: z.string(),
      dimension: z.number().int(),
      images: z.number().int(),
      reports: z.number().int(),
      buildMilliseconds: z.number(),
    }),
    summary: 'Build or bring up to date the vector index of a model (the search model by default).',
  },
  'search.embedLibrary': {
    input: z.strictObject({ modelId: z.string().min(1).max(100).optional() }),
    output: Job,
    summary:
      'Embed the images and reports a model has not seen yet (imported after its training) and update its vector index; runs after every import by itself.',
  },
  'cohorts.save': {
    input: z.strictObject({
      name: z.string().trim().min(1).max(200),
      query: z.record(z.string(), z.unknown()).default({}),
      members: z
        .array(z.strictObject({ imageId: z.number().int().positive(), score: z.number() }))
        .min(1)
        .max(100_000),
    }),
    output: Cohort,
    summary: 'Save a result set as a named cohort.',
  },
  'cohorts.list': { input: NoInput, output: z.array(Cohort), summary: 'Saved cohorts, newest first.' },
  'cohorts.members': {
    input: z.strictObject({ cohortId: z.number().int().positive() }),
    output: z.array(CohortMember),
    summary:
      "A cohort's images with study/series/instance UIDs, accession number, pseudonymised patient and score: the export rows.",
  },
  'models.list': {
    input: NoInput,
    output: z.array(ModelRecord),
    summary: 'Trained and imported models, newest first.',
  },
  'search.model': {
    input: NoInput,
    output: z.object({ modelId: z.string().nullable(), chosen: z.boolean() }),
    summary:
      'The model searches use unless told otherwise, and whether the researcher chose it (else it is the newest with embeddings).',
  },
  'search.chooseModel': {
    input: z.strictObject({ modelId: z.string().min(1).max(100) }),
    output: ModelRecord,
    summary: 'Make a model with embeddings the one searches use and new imports are embedded by.',
  },
  'models.export': {
    input: z.strictObject({
      modelId: z.string().min(1).max(100),
      file: AbsolutePath,
      /** Replace a file already there (never one inside the library). */
      overwrite: z.boolean().default(false),
    }),
    output: z.object({ file: z.string(), bytes: z.number().int() }),
    summary:
      'Write a model (config, tokenizer, metrics and weights) to one file outside the library; an existing file only with overwrite.',
  },
  'models.import': {
    input: z.strictObject({ file: AbsolutePath, name: z.string().min(1).max(200).optional() }),
    output: ModelRecord,
    summary: 'Add a model exported by Unisight to this library.',
  },
  'logs.recent': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(LogEntry),
    summary: 'The most recent log entries of the core and the engine.',
  },
} as const;

export const apiEvents = {
  'job.updated': Job,
  'engine.status': EngineStatus,
  'training.metric': TrainingMetric,
  'training.run': TrainingRun,
  'finetune.metric': ClassifierMetric,
  'finetune.run': ClassifierRun,
  log: LogEntry,
} as const;

export type ApiMethodName = keyof typeof apiMethods;
export type ApiInput<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]['input']>;
export type ApiParsedInput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['output']>;
export type ApiHandlers = { [M in ApiMethodName]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> };

export type ApiEventName = keyof typeof apiEvents;
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>;
export type ApiEvent = { [E in ApiEventName]: { name: E; payload: ApiEventPayload<E> } }[ApiEventName];

export const apiMethodNames = Object.keys(apiMethods) as ApiMethodName[];

export function isApiMethodName(name: string): name is ApiMethodName {
  return Object.hasOwn(apiMethods, name);
}

/** What every transport shows its caller: the renderer never learns which one it is on. */
export interface ApiClient {
  call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  readonly transport: 'ipc' | 'http';
}
