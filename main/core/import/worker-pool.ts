import { Worker } from 'node:worker_threads';
import type { ProcessFileRequest, ProcessFileResult } from './process-file.js';

export interface WorkerPoolOptions {
  entryFile: string;
  size: number;
  /** Per file: a file that takes longer is abandoned as failed and its worker replaced. */
  timeoutMilliseconds: number;
  maximumHeapMegabytes: number;
}

interface Task {
  id: number;
  request: ProcessFileRequest;
  resolve(result: ProcessFileResult): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

/** Worker threads that process files in parallel across the cores, surviving crashes, heap exhaustion and hangs. */
export class FileWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private nextTaskId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let index = 0; index < options.size; index++) this.slots.push(this.createSlot());
  }

  run(request: ProcessFileRequest): Promise<ProcessFileResult> {
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextTaskId++, request, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.resolve(failure(task, 'import stopped before this file was processed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private createSlot(): Slot {
    const worker = new Worker(this.options.entryFile, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maximumHeapMegabytes, maxYoungGenerationSizeMb: 64 },
    });
    const slot: Slot = { worker, task: null, timer: null };
    worker.on('message', (message: { taskId: number; result: ProcessFileResult }) => {
      if (slot.task?.id !== message.taskId) return;
      this.complete(slot, message.result);
    });
    worker.on('error', (error) => this.replace(slot, `worker crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, `worker exited with code ${code}`);
    });
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.waiting.length === 0 || this.closed) continue;
      const task = this.waiting.shift()!;
      slot.task = task;
      slot.timer = setTimeout(() => this.replace(slot, `timed out after ${this.options.timeoutMilliseconds / 1000} s`), this.options.timeoutMilliseconds);
      slot.worker.postMessage({ taskId: task.id, request: task.request });
    }
  }

  private complete(slot: Slot, result: ProcessFileResult): void {
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task!;
    slot.task = null;
    slot.timer = null;
    task.resolve(result);
    this.dispatch();
  }

  /** The worker is gone or stuck: fail its file with the reason and carry on with a fresh worker. */
  private replace(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = null;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.createSlot();
    if (task) task.resolve(failure(task, reason));
    this.dispatch();
  }
}

function failure(task: Task, reason: string): ProcessFileResult {
  return { path: task.request.path, sha256: null, outcome: 'failed', reason };
}
