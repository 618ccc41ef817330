// Import worker process: processes one untrusted file at a time, in the order the pool sends them. It runs with a
// heap cap, and the pool ends it when a file takes too long or it dies, so a hostile file costs a worker, never the
// import.
import { connectToParent } from '../child-process/parent-port.js';
import { ownPeakResidentBytes } from '../child-process/process-memory.js';
import { useNativeJpeg2000 } from '../dicom/codecs/native-jpeg-2000.js';
import { processFile, type ProcessFileResult } from './process-file.js';
import type { WorkerRequest } from './worker-pool.js';
import type { WorkerReply } from './worker-reply.js';

const parent = connectToParent();
useNativeJpeg2000();
// A worker whose import is gone (the main process was killed) has no one to answer: it ends too.
process.on('disconnect', () => process.exit(0));

// Reading the peak costs a read of /proc (~0.1 ms, a few per cent of a small file): look again at most every 200 ms.
let peakCheckedAt = Number.NEGATIVE_INFINITY;
let peak = 0;
function peakResidentBytes(): number {
  if (performance.now() - peakCheckedAt >= 200) {
    peak = ownPeakResidentBytes();
    peakCheckedAt = performance.now();
  }
  return peak;
}

let previous: Promise<void> = Promise.resolve();
parent.onMessage((message) => {
  const received = message as WorkerRequest;
  if ('stop' in received) {
    void previous.then(() => {
      const farewell: WorkerReply = { stopping: true, peakResidentBytes: ownPeakResidentBytes() };
      parent.send(farewell, () => process.exit(0));
    });
    return;
  }
  const { taskId, request } = received;
  previous = previous.then(async () => {
    let result: ProcessFileResult;
    try {
      result = await processFile(request);
    } catch (error) {
      result = { path: request.path, sha256: null, outcome: 'failed', reason: `worker error: ${String(error)}` };
    }
    const reply: WorkerReply = { taskId, result, peakResidentBytes: peakResidentBytes() };
    parent.send(reply);
  });
});
