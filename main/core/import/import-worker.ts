// Worker-thread entry: processes one untrusted file at a time. It runs with a heap cap, and the pool ends it when a
// file takes too long, so a hostile file costs a worker, never the import.
import { parentPort } from 'node:worker_threads';
import { processFile, type ProcessFileRequest } from './process-file.js';

parentPort!.on('message', (message: { taskId: number; request: ProcessFileRequest }) => {
  processFile(message.request).then(
    (result) => parentPort!.postMessage({ taskId: message.taskId, result }),
    (error: unknown) =>
      parentPort!.postMessage({ taskId: message.taskId, result: { path: message.request.path, sha256: null, outcome: 'failed', reason: `worker error: ${String(error)}` } }),
  );
});
