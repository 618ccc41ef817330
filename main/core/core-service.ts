import type { ApiHandlers, JobKind } from '../../common/contract/index.js';
import { appFeature } from './app/index.js';
import type { ChildProcessLauncher } from './child-process/child-process-channel.js';
import type { CoreContext } from './core-feature.js';
import { EngineSupervisor } from './engine/engine-supervisor.js';
import { EventBus } from './event-bus.js';
import { finetuneFeature } from './finetune/index.js';
import { importFeature } from './import/index.js';
import { jobHandlers } from './jobs/index.js';
import { JobManager, type JobExecutor } from './jobs/job-manager.js';
import { JobStore } from './jobs/job-store.js';
import { labelsFeature } from './labels/index.js';
import { openCatalogDatabase, type CatalogDatabase } from './library/catalog-database.js';
import { libraryFeature } from './library/index.js';
import { Pseudonymiser } from './library/pseudonymiser.js';
import { LogBuffer } from './log-buffer.js';
import { scaleOutFeature } from './scale-out/index.js';
import { searchFeature } from './search/index.js';
import { trainingFeature } from './training/index.js';

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

/**
 * The application core behind every transport: one library, its jobs, and the supervised ML engine. Each feature
 * (main/core/<feature>/index.ts) brings its API methods, its jobs and its recovery after a crash; this only combines
 * them.
 */
export function createCoreService(options: CoreServiceOptions): CoreService {
  const events = new EventBus();
  const logs = new LogBuffer(events);
  const catalog = openCatalogDatabase(options.libraryPath);
  const engine = new EngineSupervisor(options.launchEngine, events, logs);
  const context: CoreContext = {
    catalog,
    pseudonymiser: new Pseudonymiser(options.libraryPath),
    events,
    logs,
    engine,
    submitJob: (kind, parameters) => jobs.submit(kind, parameters),
  };
  const app = appFeature(context, options.chooseFolder);
  const training = trainingFeature(context);
  const search = searchFeature(context, training.models, options.launchEngine);
  const importing = importFeature(context, options.launchImportWorker, () => search.embedNewImages());
  const library = libraryFeature(context);
  const labels = labelsFeature(context);
  const finetuning = finetuneFeature(context, training.models);
  const scaleOut = scaleOutFeature(context, training.models);
  const features = [app, importing, library, labels, training, finetuning, search, scaleOut];

  const executors: Record<JobKind, JobExecutor> = {
    ...app.executors,
    ...importing.executors,
    ...training.executors,
    ...finetuning.executors,
    ...search.executors,
    ...scaleOut.executors,
  };
  const jobs = new JobManager(new JobStore(catalog.database), events, executors);
  const orphans = jobs.recoverOrphanedJobs();
  for (const job of orphans) logs.write('warn', 'jobs', `Job ${job.id} (${job.kind}) was interrupted: ${job.error}`);
  for (const feature of features) feature.recoverInterrupted?.(orphans);

  const handlers: ApiHandlers = {
    ...app.handlers,
    ...jobHandlers(jobs),
    ...importing.handlers,
    ...library.handlers,
    ...labels.handlers,
    ...training.handlers,
    ...finetuning.handlers,
    ...search.handlers,
    ...scaleOut.handlers,
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
      for (const feature of features) feature.close?.();
      catalog.database.close();
    },
  };
}
