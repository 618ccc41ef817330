// The one description of Unisight's core API, assembled from its features' files. Electron IPC, the HTTP/WebSocket
// server and the CLI all dispatch through `apiMethods`, validating every input with these schemas at their boundary,
// and the renderer's transports are typed from it. A new method goes into its feature's file; a new feature's file
// adds one line to `apiMethods` here.
import type { z } from 'zod';
import { appApiMethods, EngineStatus, LogEntry } from './app.js';
import { finetuneApiMethods, ClassifierMetric, ClassifierRun } from './finetune.js';
import { importApiMethods } from './import.js';
import { jobApiMethods, Job } from './jobs.js';
import { labelApiMethods } from './labels.js';
import { libraryApiMethods } from './library.js';
import { modelApiMethods } from './models.js';
import { searchApiMethods } from './search.js';
import { trainingApiMethods, TrainingMetric, TrainingRun } from './training.js';

export * from './app.js';
export * from './augmentation-settings.js';
export * from './evaluation.js';
export * from './finetune.js';
export * from './import.js';
export * from './inputs.js';
export * from './jobs.js';
export * from './labels.js';
export * from './library.js';
export * from './models.js';
export * from './report-label-rules.js';
export * from './search.js';
export * from './study-filter.js';
export * from './text-sampling-settings.js';
export * from './training.js';

export const apiMethods = {
  ...appApiMethods,
  ...jobApiMethods,
  ...importApiMethods,
  ...libraryApiMethods,
  ...labelApiMethods,
  ...trainingApiMethods,
  ...finetuneApiMethods,
  ...searchApiMethods,
  ...modelApiMethods,
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
