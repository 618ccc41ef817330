import { utilityProcess } from 'electron';
import { forwardLines } from '../core/engine/forward-lines.js';
import type { EngineChannel, EngineLauncher } from '../core/engine/engine-channel.js';

/** Desktop mode: the engine is an Electron utilityProcess, so a crash or OOM there leaves the window alive. */
export function utilityEngineLauncher(entryFile: string, maxHeapMegabytes: number): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(entryFile, [], {
      serviceName: 'Unisight ML engine',
      stdio: 'pipe',
      execArgv: [`--max-old-space-size=${maxHeapMegabytes}`],
    });
    let processId: number | null = child.pid ?? null;
    child.once('spawn', () => {
      processId = child.pid ?? null;
    });
    const channel: EngineChannel = {
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
