// The one description of Unisight's core API. Electron IPC, the HTTP/WebSocket server and the CLI all dispatch
// through `apiMethods`, validating every input with these schemas at their boundary, and the renderer's
// transports are typed from it. Adding a capability means adding it here first.
import { z } from 'zod';

export const jobKinds = ['engine.selfcheck'] as const;
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

export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm-threaded', 'wasm', 'cpu'] as const;
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
  attempts: z.array(BackendAttempt),
  lastExitReason: z.string().nullable(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const LibraryInfo = z.object({
  path: z.string(),
  databaseFile: z.string(),
  schemaVersion: z.number().int(),
  databaseBytes: z.number().int().nonnegative(),
});
export type LibraryInfo = z.infer<typeof LibraryInfo>;

export const AppInfo = z.object({
  appVersion: z.string(),
  nodeVersion: z.string(),
  electronVersion: z.string().nullable(),
  platform: z.string(),
  architecture: z.string(),
  library: LibraryInfo,
  engine: EngineStatus,
});
export type AppInfo = z.infer<typeof AppInfo>;

export const LogEntry = z.object({
  time: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;

const NoInput = z.strictObject({});
const JobReference = z.strictObject({ jobId: z.string().min(1).max(100) });

export const SelfCheckParameters = z.strictObject({
  iterations: z.number().int().min(1).max(100_000).default(60),
  matrixSize: z.number().int().min(16).max(2048).default(256),
});
export type SelfCheckParameters = z.infer<typeof SelfCheckParameters>;

export const apiMethods = {
  'app.info': { input: NoInput, output: AppInfo, summary: 'Versions, library, ML backend in use and why others were skipped.' },
  'jobs.list': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(Job),
    summary: 'Recent jobs, newest first, with their state and progress.',
  },
  'jobs.get': { input: JobReference, output: Job, summary: 'One job by id.' },
  'jobs.cancel': { input: JobReference, output: Job, summary: 'Cancel a queued or running job; work done so far is kept.' },
  'engine.selfcheck': {
    input: SelfCheckParameters,
    output: Job,
    summary: 'Start an engine self-check job: correctness, leak check and matmul throughput of the ML backend.',
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
