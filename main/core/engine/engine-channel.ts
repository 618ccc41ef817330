export interface EngineExit {
  code: number | null;
  signal: string | null;
}

/** One running engine process, whichever way it was started (Electron utilityProcess or Node fork). */
export interface EngineChannel {
  readonly processId: number | null;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onOutput(listener: (stream: 'stdout' | 'stderr', line: string) => void): void;
  onExit(listener: (exit: EngineExit) => void): void;
  kill(): void;
}

export type EngineLauncher = () => EngineChannel;
