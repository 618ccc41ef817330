import type { ApiHandlers, ApiMethodName, Job, JobKind } from '../../common/contract/index.js';
import type { EngineSupervisor } from './engine/engine-supervisor.js';
import type { EventBus } from './event-bus.js';
import type { JobExecutor } from './jobs/job-manager.js';
import type { CatalogDatabase } from './library/catalog-database.js';
import type { Pseudonymiser } from './library/pseudonymiser.js';
import type { LogBuffer } from './log-buffer.js';

/** What every feature of the core is built from: the open library, the app's event and log streams, the engine. */
export interface CoreContext {
  catalog: CatalogDatabase;
  pseudonymiser: Pseudonymiser;
  events: EventBus;
  logs: LogBuffer;
  /** The training engine (one task at a time, its status is the app's). */
  engine: EngineSupervisor;
  /** Queues a job; only called once the core is built. */
  submitJob(kind: JobKind, parameters: Record<string, unknown>): Job;
}

/**
 * What one feature (main/core/<feature>/index.ts) gives the core: its API methods, the jobs it runs, and what it
 * recorded as running that a crash left behind. `core-service.ts` only combines them.
 */
export interface CoreFeature<Methods extends ApiMethodName, Kinds extends JobKind = never> {
  handlers: Pick<ApiHandlers, Methods>;
  executors: Record<Kinds, JobExecutor>;
  /** After a crash: whatever the feature recorded as running for these jobs becomes interrupted. */
  recoverInterrupted?(jobs: readonly Job[]): void;
  close?(): void;
}
