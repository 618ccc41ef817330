import type { ParentPort } from '../../../common/parent-port.js';

// Child processes (the ML engine, import workers) run as Electron utilityProcesses in the desktop app and as Node
// child_process.fork in server and CLI mode; both offer a message port to the parent, with different shapes.

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message, onSent) => {
        electronPort.postMessage(message);
        if (onSent) setImmediate(onSent);
      },
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  if (!process.send)
    throw new Error('This Unisight process must be started by the Unisight core (no IPC channel to a parent).');
  // The parent is gone (killed or crashed): nothing will read this process's answers, and a busy one would go on
  // training or importing for no one, beside the run its parent resumes on the next start (two writers of one run).
  // Its last checkpoint is where that run resumes.
  process.once('disconnect', () => process.exit(1));
  return {
    send: (message, onSent) => process.send!(message, undefined, undefined, () => onSent?.()),
    onMessage: (listener) => process.on('message', listener),
  };
}
