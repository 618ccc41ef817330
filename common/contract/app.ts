// The application itself: versions, the engine's backend, the library file, logs, the machine's folders.
import { z } from 'zod';
import { NoInput } from './inputs.js';
import { Job } from './jobs.js';

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

/** A folder's subfolders, for choosing an import folder where no operating-system dialog exists (browser mode). */
export const FolderListing = z.object({
  folder: z.string(),
  /** The folder above; null at the root. */
  parent: z.string().nullable(),
  home: z.string(),
  /** Subfolders, hidden ones left out, in natural order: the name shown, the path as this machine spells it. */
  folders: z.array(z.object({ name: z.string(), path: z.string() })),
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListing>;

export const SelfCheckParameters = z.strictObject({
  iterations: z.number().int().min(1).max(100_000).default(60),
  matrixSize: z.number().int().min(16).max(2048).default(256),
});
export type SelfCheckParameters = z.infer<typeof SelfCheckParameters>;

export const appApiMethods = {
  'app.info': {
    input: NoInput,
    output: AppInfo,
    summary: 'Versions, library, ML backend in use and why others were skipped.',
  },
  'engine.selfcheck': {
    input: SelfCheckParameters,
    output: Job,
    summary: 'Start an engine self-check job: correctness, leak check and matmul throughput of the ML backend.',
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
  'logs.recent': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(LogEntry),
    summary: 'The most recent log entries of the core and the engine.',
  },
} as const;
