import { utilityProcess } from 'electron';
import { forwardLines } from '../core/child-process/forward-lines.js';
import type { ChildProcessChannel, ChildProcessLauncher } from '../core/child-process/child-process-channel.js';

/**
 * Desktop mode: the engine and import workers are Electron utilityProcesses, so a crash or OOM there leaves the window
 * alive.
 */
export function utilityProcessLauncher(
  entryFile: string,
  maxHeapMegabytes: number,
  serviceName: string,
): ChildProcessLauncher {
  return () => {
    const child = utilityProcess.fork(entryFile, [], {
      serviceName,
      stdio: 'pipe',
      execArgv: [`--max-old-space-size=${maxHeapMegabytes}`],
    });
    let processId: number | null = child.pid ?? null;
    child.once('spawn', () => {
      processId = child.pid ?? null;
    });
    const channel: ChildProcessChannel = {
      get processId() {
        return processId;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onOutput: (listener) => {
        forwardLines(child.stdout, (line) => listener('stdout', line));
        forwardLines(child.stderr, (line) => listener('stderr', line));
      },
      onExit: (listener) => child.once('exit', (code) => listener({ code, signal: null })),
      kill: () => {
        child.kill();
      },
    };
    return channel;
  };
}
