import type { ChildProcessChannel, ChildProcessLauncher } from '../child-process/child-process-channel.js';
import { residentBytes } from '../child-process/process-memory.js';
import type { FailureKind } from './failure-kind.js';
import type { ProcessFileRequest, ProcessFileResult } from './process-file.js';
import { WorkerReply } from './worker-reply.js';

/**
 * Heap cap of one import worker: far above what any real file needs, low enough that a hostile one cannot take the
 * machine.
 */
export const importWorkerHeapMegabytes = 1024;

/**
 * Resident memory one worker may hold, everything counted (buffers, WebAssembly heaps and native decoders live
 * outside the JavaScript heap the cap above bounds): a worker found above it is ended and its file fails. Read every
 * 50 ms, so a worker's peak stays within about 1.5 times this even while it allocates fast.
 */
export const importWorkerMemoryBytes = importWorkerHeapMegabytes * 1024 * 1024;

/** How often a busy worker's resident memory is read. */
const memoryCheckMilliseconds = 50;

export interface WorkerPoolOptions {
  /** Starts one worker process (import-worker.js with a capped heap). */
  launchWorker: ChildProcessLauncher;
  size: number;
  /** Per file: a file that takes longer is abandoned as failed and its worker replaced. */
  timeoutMilliseconds: number;
  /** Files handed to a worker beyond the one it is on, so it goes straight on while the main thread writes a batch. */
  queuedPerWorker: number;
  /** A busy worker whose resident memory passes this is ended, and its file fails with the reason. */
  memoryLimitBytes: number;
  log(stream: 'stdout' | 'stderr', line: string): void;
}

/** What the pool sends a worker process: a file to process, or word to finish (after the files it was sent). */
export type WorkerRequest = { taskId: number; request: ProcessFileRequest } | { stop: true };

interface Task {
  id: number;
  request: ProcessFileRequest;
  /** Set once the file has been given a fresh worker after one was ended over memory (see `watchMemory`). */
  retriedForMemory?: boolean;
  resolve(result: ProcessFileResult): void;
}

interface Slot {
  channel: ChildProcessChannel;
  /** The file the worker is on first, then those queued behind it; the worker takes them in order. */
  tasks: Task[];
  timer: NodeJS.Timeout | null;
  /** Reads the worker's resident memory while it has work (Linux); null while idle or where it cannot be read. */
  memoryWatch: NodeJS.Timeout | null;
  peakResidentBytes: number;
  exited: Promise<void>;
}

/**
 * Worker processes that process files in parallel across the cores. Each file is untrusted and native decoders may
 * run on it, so workers are processes, not threads: a crash, heap exhaustion or hang costs one worker and fails that
 * one file, never the import.
 */
export class FileWorkerPool {
  /** Null where a worker died with nothing to do: it is started again when there is work, not in a loop. */
  private readonly slots: Array<Slot | null> = [];
  private readonly waiting: Task[] = [];
  private nextTaskId = 1;
  private closed = false;
  /** Peak resident sets of workers that were replaced or closed, added to those of the live ones. */
  private retiredPeakResidentBytes = 0;
  /** The largest peak of any one worker that was replaced or closed. */
  private retiredLargestPeakBytes = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let index = 0; index < options.size; index++) this.slots.push(this.createSlot());
  }

  run(request: ProcessFileRequest): Promise<ProcessFileResult> {
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextTaskId++, request, resolve });
      this.dispatch();
    });
  }

  /** The sum of the workers' peak resident sets: an upper bound on the memory the workers held at any one time. */
  peakResidentBytes(): number {
    const live = this.live().reduce((sum, slot) => sum + slot.peakResidentBytes, 0);
    return this.retiredPeakResidentBytes + live;
  }

  /** The largest peak resident set of any one worker so far: what the memory limit bounds. */
  largestPeakResidentBytes(): number {
    return Math.max(this.retiredLargestPeakBytes, ...this.live().map((slot) => slot.peakResidentBytes));
  }

  /**
   * Idle workers are asked to finish and given a moment to exit cleanly (their profiles and logs get written); busy or
   * deaf ones are killed.
   */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.live();
    const pending = [...this.waiting.splice(0), ...slots.flatMap((slot) => slot.tasks.splice(0))];
    for (const task of pending)
      task.resolve(failure(task, 'import stopped before this file was processed', 'interrupted'));
    const idle = pending.length === 0;
    if (idle) for (const slot of slots) slot.channel.send({ stop: true } satisfies WorkerRequest);
    const allExited = Promise.all(slots.map((slot) => slot.exited));
    const exitedInTime = idle && (await Promise.race([allExited.then(() => true), delay(2000).then(() => false)]));
    if (!exitedInTime) for (const slot of slots) slot.channel.kill();
    await allExited;
    for (const slot of slots) this.retire(slot);
  }

  private live(): Slot[] {
    return this.slots.filter((slot): slot is Slot => slot !== null);
  }

  private createSlot(): Slot {
    const channel = this.options.launchWorker();
    let exited = (): void => undefined;
    const slot: Slot = {
      channel,
      tasks: [],
      timer: null,
      memoryWatch: null,
      peakResidentBytes: 0,
      exited: new Promise((resolve) => (exited = resolve)),
    };
    channel.onMessage((message) => {
      const parsed = WorkerReply.safeParse(message);
      if (!parsed.success) {
        this.replace(
          slot,
          `worker sent a malformed reply (${parsed.error.issues[0]?.message ?? 'unreadable'}); its file is not trusted`,
        );
        return;
      }
      const reply = parsed.data;
      if ('stopping' in reply) {
        slot.peakResidentBytes = Math.max(slot.peakResidentBytes, reply.peakResidentBytes);
        return;
      }
      if (slot.tasks[0]?.id !== reply.taskId) return;
      slot.peakResidentBytes = Math.max(slot.peakResidentBytes, reply.peakResidentBytes);
      this.complete(slot, reply.result);
    });
    channel.onOutput((stream, line) => this.options.log(stream, line));
    channel.onExit((exit) => {
      exited();
      if (!this.closed)
        this.replace(
          slot,
          exit.signal ? `worker ended by signal ${exit.signal}` : `worker exited with code ${exit.code}`,
        );
    });
    return slot;
  }

  private dispatch(): void {
    if (this.closed) return;
    for (let index = 0; index < this.slots.length && this.waiting.length > 0; index++) {
      const slot = (this.slots[index] ??= this.createSlot());
      while (slot.tasks.length <= this.options.queuedPerWorker && this.waiting.length > 0) {
        const task = this.waiting.shift()!;
        slot.tasks.push(task);
        slot.channel.send({ taskId: task.id, request: task.request } satisfies WorkerRequest);
        if (slot.tasks.length === 1) this.startTimer(slot);
      }
    }
  }

  /** The worker takes its files in order, so the clock of the next one starts when the previous one is answered. */
  private startTimer(slot: Slot): void {
    slot.timer = setTimeout(
      () => this.replace(slot, `timed out after ${this.options.timeoutMilliseconds / 1000} s`),
      this.options.timeoutMilliseconds,
    );
    slot.memoryWatch ??= this.watchMemory(slot);
  }

  /**
   * The worker's own heap cap leaves out buffers and native memory, where a hostile file can ask for gigabytes: the
   * pool reads the worker's resident set and ends it past the limit, failing the file it was on.
   */
  private watchMemory(slot: Slot): NodeJS.Timeout | null {
    const processId = slot.channel.processId;
    if (processId === null || process.platform !== 'linux') return null;
    const limit = this.options.memoryLimitBytes;
    return setInterval(() => {
      const resident = residentBytes(processId);
      if (resident === null) return;
      slot.peakResidentBytes = Math.max(slot.peakResidentBytes, resident);
      if (resident > limit)
        this.replace(
          slot,
          `needed more than ${megabytes(limit)} of memory (the limit of one import worker); not imported`,
          true,
        );
    }, memoryCheckMilliseconds).unref();
  }

  private complete(slot: Slot, result: ProcessFileResult): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.tasks.length === 1 && slot.memoryWatch) {
      clearInterval(slot.memoryWatch);
      slot.memoryWatch = null;
    }
    slot.tasks.shift()!.resolve(result);
    if (slot.tasks.length > 0) this.startTimer(slot);
    this.dispatch();
  }

  /**
   * The worker is gone or stuck: the file it was on fails with the reason, the files queued behind it go back to the
   * front of the queue, and a fresh worker takes the slot when there is work for it. (One that cannot start at all
   * thus fails the files one by one with its exit, instead of being restarted in a loop.)
   */
  private replace(slot: Slot, reason: string, overMemory = false): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const [current, ...queued] = slot.tasks.splice(0);
    void this.stop(slot);
    this.slots[index] = null;
    if (!current)
      this.options.log('stderr', `an idle import worker ended (${reason}); another starts when there is work`);
    this.waiting.unshift(...queued);
    // Memory the worker kept from earlier files counts too, so a file is failed over memory only when a fresh worker
    // runs out on it as well.
    if (current && overMemory && !current.retriedForMemory) {
      current.retriedForMemory = true;
      this.waiting.unshift(current);
    } else if (current) current.resolve(failure(current, reason));
    this.dispatch();
  }

  private stop(slot: Slot): Promise<void> {
    this.retire(slot);
    slot.channel.kill();
    return slot.exited;
  }

  private retire(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.memoryWatch) clearInterval(slot.memoryWatch);
    slot.memoryWatch = null;
    this.retiredPeakResidentBytes += slot.peakResidentBytes;
    this.retiredLargestPeakBytes = Math.max(this.retiredLargestPeakBytes, slot.peakResidentBytes);
    slot.peakResidentBytes = 0;
  }
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}

/** A worker that crashed, hung or ran out of memory on a file failed on the file's content (see FailureKind). */
function failure(task: Task, reason: string, failureKind: FailureKind = 'content'): ProcessFileResult {
  return { path: task.request.path, sha256: null, outcome: 'failed', reason, failureKind };
}
