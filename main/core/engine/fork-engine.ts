import { fork } from 'node:child_process';
import { forwardLines } from './forward-lines.js';
import type { EngineChannel, EngineLauncher } from './engine-channel.js';

export interface ForkEngineOptions {
  entryFile: string;
  /** V8 heap cap of the engine, so a runaway allocation ends the engine, not the machine. */
  maxHeapMegabytes: number;
  environment?: NodeJS.ProcessEnv;
}

/** Starts the engine as a Node child process (server and CLI mode). */
export function forkEngineLauncher(options: ForkEngineOptions): EngineLauncher {
  return () => {
    const child = fork(options.entryFile, [], {
      execArgv: [`--max-old-space-size=${options.maxHeapMegabytes}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: options.environment ?? process.env,
      serialization: 'advanced',
    });
    const channel: EngineChannel = {
      processId: child.pid ?? null,
      send: (message) => {
        if (child.connected) child.send(message as object);
      },
      onMessage: (listener) => child.on('message', listener),
      onOutput: (listener) => {
        forwardLines(child.stdout, (line) => listener('stdout', line));
        forwardLines(child.stderr, (line) => listener('stderr', line));
      },
      onExit: (listener) => child.once('exit', (code, signal) => listener({ code, signal })),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
    return channel;
  };
}
