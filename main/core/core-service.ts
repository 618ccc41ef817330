import fs from 'node:fs';
import type { ApiHandlers, JobKind } from '../api/contract.js';
import { EventBus } from './event-bus.js';
import { EngineSupervisor } from './engine/engine-supervisor.js';
import type { EngineLauncher } from './engine/engine-channel.js';
import { JobManager, type JobExecutor } from './jobs/job-manager.js';
import { JobStore } from './jobs/job-store.js';
import { openCatalogDatabase, type CatalogDatabase } from './library/catalog-database.js';
import { LogBuffer } from './log-buffer.js';
import { appVersion } from './install-paths.js';

export interface CoreServiceOptions {
  libraryPath: string;
  launchEngine: EngineLauncher;
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
  const engineJob = (task: 'selfcheck'): JobExecutor => ({
    lane: 'engine',
    unit: 'steps',
    run: (job, context) => engine.runTask(job.id, task, job.parameters, context),
  });
  const executors: Record<JobKind, JobExecutor> = { 'engine.selfcheck': engineJob('selfcheck') };
  const jobs = new JobManager(new JobStore(catalog.database), events, executors);
  for (const job of jobs.recoverOrphanedJobs()) logs.write('warn', 'jobs', `Job ${job.id} (${job.kind}) was interrupted: ${job.error}`);

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
      },
      engine: engine.status,
    }),
    'jobs.list': async ({ limit }) => jobs.list(limit),
    'jobs.get': async ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => jobs.cancel(jobId),
    'engine.selfcheck': async (parameters) => jobs.submit('engine.selfcheck', parameters),
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
      catalog.database.close();
    },
  };
}
