import fs from 'node:fs';
import os from 'node:os';
import { ImportParameters, type ApiHandlers, type ImportSummary, type JobKind } from '../../common/contract/index.js';
import { EventBus } from './event-bus.js';
import { EngineSupervisor } from './engine/engine-supervisor.js';
import type { ChildProcessLauncher } from './child-process/child-process-channel.js';
import { JobManager, type JobExecutor } from './jobs/job-manager.js';
import { JobStore } from './jobs/job-store.js';
import { openCatalogDatabase, type CatalogDatabase } from './library/catalog-database.js';
import { LogBuffer } from './log-buffer.js';
import { importFolder } from './import/import-folder.js';
import { explainStorageError } from './import/storage-error.js';
import { previewFolder } from './import/preview-folder.js';
import { listFolders } from './files/list-folders.js';
import { FileWorkerPool, importWorkerMemoryBytes } from './import/worker-pool.js';
import { describeJpeg2000Route } from './dicom/codecs/native-jpeg-2000.js';
import { appVersion } from './install-paths.js';
import {
  importedFiles,
  librarySummary,
  listStudies,
  studyDetail,
  thumbnailDataUrl,
  unmatchedReports,
} from './library/library-queries.js';
import { CatalogPaths, pathsArePseudonymised, pseudonymisePaths } from './library/catalog-paths.js';
import { Pseudonymiser } from './library/pseudonymiser.js';
import { imageTags } from './library/image-tags.js';
import { renderCataloguedImage } from './library/render-catalogued-image.js';
import { ModelStore } from './training/model-store.js';
import { PretrainingService } from './training/pretraining-service.js';
import { TrainingRunStore } from './training/training-run-store.js';
import { ApiError } from '../api/api-error.js';
import { CohortStore } from './search/cohorts.js';
import { QueryEncoder } from './search/query-encoder.js';
import { SearchService } from './search/search-service.js';
import { VectorIndex } from './search/vector-index.js';
import { libraryEmbeddingExecutor } from './search/library-embedding-job.js';
import { ClassifierRunStore } from './finetune/classifier-run-store.js';
import { FinetuneService } from './finetune/finetune-service.js';
import { libraryLabelRules } from './labels/library-label-rules.js';
import { labellingQueue, setManualLabel } from './labels/manual-labels.js';
import { weakLabelAgreement, writeReportRuleLabels } from './labels/weak-labels.js';

/**
 * Files a worker holds beyond the one it is on: a worker that finishes a small file while the main thread writes a
 * batch goes straight on to the next (with one, workers sat idle 12% of an import, profiled).
 */
const importFilesQueuedPerWorker = 4;

export interface CoreServiceOptions {
  libraryPath: string;
  launchEngine: ChildProcessLauncher;
  /** Starts one import worker process (import-worker.js); an import runs one per core. */
  launchImportWorker: ChildProcessLauncher;
  /** The OS folder dialog, where there is one (the desktop app). */
  chooseFolder?: () => Promise<string | null>;
}

export interface CoreService {
  handlers: ApiHandlers;
  events: EventBus;
  jobs: JobManager;
  engine: EngineSupervisor;
  catalog: CatalogDatabase;
  close(): Promise<void>;
}

/** The application core behind every transport: one library, its jobs, and the supervised ML engine. */
export function createCoreService(options: CoreServiceOptions): CoreService {
  const events = new EventBus();
  const logs = new LogBuffer(events);
  const catalog = openCatalogDatabase(options.libraryPath);
  const engine = new EngineSupervisor(options.launchEngine, events, logs);
  const queryEngine = new EngineSupervisor(options.launchEngine, events, logs, { publishStatus: false });
  const engineJob = (task: 'selfcheck'): JobExecutor => ({
    lane: 'engine',
    unit: 'steps',
    run: (job, context) => engine.runTask(job.id, task, job.parameters, context),
  });
  const pseudonymiser = new Pseudonymiser(options.libraryPath);
  const importJob: JobExecutor = {
    lane: 'import',
    unit: 'files',
    run: async (job, context) => {
      const parameters = ImportParameters.parse(job.parameters);
      const workers = Math.max(1, os.availableParallelism());
      const pool = new FileWorkerPool({
        launchWorker: options.launchImportWorker,
        size: workers,
        timeoutMilliseconds: 60_000,
        queuedPerWorker: importFilesQueuedPerWorker,
        memoryLimitBytes: importWorkerMemoryBytes,
        log: (stream, line) => logs.write(stream === 'stderr' ? 'warn' : 'info', 'import', line),
      });
      try {
        const { cancelled, summary } = await importFolder(
          {
            database: catalog.database,
            libraryPath: catalog.libraryPath,
            pseudonymiser,
            importRunId: job.id,
            processFile: (request) => pool.run(request),
            // Enough files in flight that every worker has its queue full and the pool one more for each.
            concurrency: workers * (importFilesQueuedPerWorker + 2),
            signal: context.signal,
            reportProgress: context.reportProgress,
          },
          parameters,
        ).catch((error: unknown) => {
          throw explainStorageError(error, catalog.libraryPath);
        });
        const result: ImportSummary = { ...summary, workerPeakResidentBytes: pool.peakResidentBytes() };
        if (cancelled) return { outcome: 'cancelled', result };
        // New images become searchable by meaning once the active model has embedded them.
        const model = search.activeModel();
        if (model) jobs.submit('model.embed', { modelId: model.id });
        return { outcome: 'succeeded', result };
      } finally {
        await pool.close();
      }
    },
  };
  const trainingRuns = new TrainingRunStore(catalog.database);
  const models = new ModelStore(catalog.database, catalog.libraryPath);
  const pretraining = new PretrainingService({
    database: catalog.database,
    libraryPath: catalog.libraryPath,
    runs: trainingRuns,
    models,
    engine,
    events,
    submitJob: (kind, parameters) => jobs.submit(kind, parameters),
  });
  const classifierRuns = new ClassifierRunStore(catalog.database);
  const finetuning = new FinetuneService({
    database: catalog.database,
    libraryPath: catalog.libraryPath,
    runs: classifierRuns,
    models,
    engine,
    events,
    submitJob: (kind, parameters) => jobs.submit(kind, parameters),
  });
  const vectorIndex = new VectorIndex(catalog.database, catalog.vectorExtensionError);
  const search = new SearchService(catalog.database, models, vectorIndex, new QueryEncoder(queryEngine));
  const cohorts = new CohortStore(catalog.database);
  const executors: Record<JobKind, JobExecutor> = {
    'engine.selfcheck': engineJob('selfcheck'),
    'library.import': importJob,
    'model.pretrain': pretraining.executor,
    'model.finetune': finetuning.executor,
    'model.embed': libraryEmbeddingExecutor({
      database: catalog.database,
      libraryPath: catalog.libraryPath,
      models,
      engine,
      index: vectorIndex,
    }),
  };
  const jobs = new JobManager(new JobStore(catalog.database), events, executors);
  const markRunInterrupted = catalog.database.prepare(
    "UPDATE import_runs SET state = 'interrupted', finished_at = ? WHERE id = ? AND state = 'running'",
  );
  const orphans = jobs.recoverOrphanedJobs();
  for (const job of orphans) {
    markRunInterrupted.run(job.finishedAt, job.id);
    logs.write('warn', 'jobs', `Job ${job.id} (${job.kind}) was interrupted: ${job.error}`);
  }
  trainingRuns.markInterrupted(orphans.map((job) => job.id));
  classifierRuns.markInterrupted(orphans.map((job) => job.id));

  const handlers: ApiHandlers = {
    'app.info': async () => ({
      appVersion,
      nodeVersion: process.versions.node,
      electronVersion: process.versions.electron ?? null,
      platform: process.platform,
      architecture: process.arch,
      library: {
        path: catalog.libraryPath,
        databaseFile: catalog.databaseFile,
        schemaVersion: catalog.schemaVersion,
        databaseBytes: fs.statSync(catalog.databaseFile).size,
        pathsPseudonymised: pathsArePseudonymised(catalog.database),
      },
      engine: engine.status,
      jpeg2000Decoder: describeJpeg2000Route(),
      nativeFolderPicker: Boolean(options.chooseFolder),
    }),
    'jobs.list': async ({ limit }) => jobs.list(limit),
    'jobs.get': async ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => jobs.cancel(jobId),
    'engine.selfcheck': async (parameters) => jobs.submit('engine.selfcheck', parameters),
    'import.start': async (parameters) => {
      if (parameters.pseudonymisePaths) pseudonymisePaths(catalog.database);
      return jobs.submit('library.import', parameters);
    },
    'import.files': async (query) => importedFiles(catalog.database, query),
    'import.preview': async ({ folder }) => previewFolder(folder),
    'system.chooseFolder': async () => ({ folder: options.chooseFolder ? await options.chooseFolder() : null }),
    'system.listFolders': async ({ folder }) => listFolders(folder),
    'library.summary': async () => librarySummary(catalog.database),
    'library.studies': async ({ filter, offset, limit }) => listStudies(catalog.database, filter, offset, limit),
    'library.study': async ({ studyId }) => studyDetail(catalog.database, studyId),
    'library.thumbnail': async ({ imageId }) => ({
      dataUrl: thumbnailDataUrl(catalog.database, catalog.libraryPath, imageId),
    }),
    'library.imageTags': async ({ imageId }) =>
      imageTags(catalog.database, CatalogPaths.of(catalog.database, pseudonymiser), imageId),
    'library.renderImage': async (request) =>
      renderCataloguedImage(catalog.database, CatalogPaths.of(catalog.database, pseudonymiser), request),
    'library.unmatchedReports': async ({ limit }) => unmatchedReports(catalog.database, limit),
    'labels.fromReports': async ({ rules }) =>
      writeReportRuleLabels(catalog.database, rules ?? libraryLabelRules(catalog.database)),
    'labels.weakAgreement': async () => weakLabelAgreement(catalog.database),
    'labels.queue': async ({ task, offset, limit }) => labellingQueue(catalog.database, task, offset, limit),
    'labels.set': async ({ studyId, task, value }) => {
      setManualLabel(catalog.database, studyId, task, value);
      return { studyId, task, value };
    },
    'training.presets': async () => pretraining.presets(),
    'training.start': async ({ name, options: pretrainOptions }) => pretraining.start(name, pretrainOptions),
    'training.resume': async ({ runId }) => pretraining.resume(runId),
    'training.runs': async ({ limit }) => trainingRuns.list(limit),
    'training.run': async ({ runId }) => ({ run: trainingRuns.get(runId), metrics: trainingRuns.metrics(runId) }),
    'finetune.tasks': async () => finetuning.tasks(),
    'finetune.preview': async (request) => finetuning.preview(request),
    'finetune.start': async ({ name, options: finetuneOptions }) => finetuning.start(name, finetuneOptions),
    'finetune.resume': async ({ runId }) => finetuning.resume(runId),
    'finetune.runs': async ({ limit }) => classifierRuns.list(limit),
    'finetune.run': async ({ runId }) => ({ run: classifierRuns.get(runId), metrics: classifierRuns.metrics(runId) }),
    'finetune.predictions': async ({ runId }) => classifierRuns.predictions(runId),
    'search.query': (request) => search.search(request),
    'search.similar': async ({ imageId, k, filter, modelId }) => search.similar(imageId, k, filter, modelId),
    'search.reportsForImage': async ({ imageId, k, modelId }) => search.reportsForImage(imageId, k, modelId),
    'search.index': async ({ modelId }) => {
      const model = search.activeModel(modelId);
      if (!model) throw new ApiError('conflict', 'No trained model with embeddings yet (Train).');
      return vectorIndex.ensure(model);
    },
    'search.embedLibrary': async ({ modelId }) => {
      const model = search.activeModel(modelId) ?? models.list()[0];
      if (!model) throw new ApiError('conflict', 'No model to embed the library with yet (Train).');
      return jobs.submit('model.embed', { modelId: model.id });
    },
    'cohorts.save': async ({ name, query, members }) => cohorts.save(name, query, members),
    'cohorts.list': async () => cohorts.list(),
    'cohorts.members': async ({ cohortId }) => cohorts.members(cohortId),
    'models.list': async () => models.list(),
    'search.model': async () => {
      const current = models.searchModel();
      return { modelId: current?.model.id ?? null, chosen: current?.chosen ?? false };
    },
    'search.chooseModel': async ({ modelId }) => models.chooseForSearch(modelId),
    'models.export': async ({ modelId, file, overwrite }) => models.exportFile(modelId, file, overwrite),
    'models.import': async ({ file, name }) => models.importFile(file, name),
    'logs.recent': async ({ limit }) => logs.recent(limit),
  };

  return {
    handlers,
    events,
    jobs,
    engine,
    catalog,
    close: async () => {
      await jobs.shutdown();
      engine.stop();
      queryEngine.stop();
      catalog.database.close();
    },
  };
}
