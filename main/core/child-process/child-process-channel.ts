export interface ChildProcessExit {
  code: number | null;
  signal: string | null;
}

/**
 * One running child process (the ML engine, an import worker), whichever way it was started (Electron utilityProcess or
 * Node fork).
 */
export interface ChildProcessChannel {
  readonly processId: number | null;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onOutput(listener: (stream: 'stdout' | 'stderr', line: string) => void): void;
  onExit(listener: (exit: ChildProcessExit) => void): void;
  kill(): void;
}

export type ChildProcessLauncher = () => ChildProcessChannel;
