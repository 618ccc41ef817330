import { fork } from 'node:child_process';
import { forwardLines } from './forward-lines.js';
import type { ChildProcessChannel, ChildProcessLauncher } from './child-process-channel.js';

export interface ForkOptions {
  entryFile: string;
  /** V8 heap cap of the child, so a runaway allocation ends the child, not the machine. */
  maxHeapMegabytes: number;
  environment?: NodeJS.ProcessEnv;
}

/** Starts a Node child process (server and CLI mode). */
export function forkLauncher(options: ForkOptions): ChildProcessLauncher {
  return () => {
    const child = fork(options.entryFile, [], {
      execArgv: [`--max-old-space-size=${options.maxHeapMegabytes}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: options.environment ?? process.env,
      serialization: 'advanced',
    });
    const channel: ChildProcessChannel = {
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
