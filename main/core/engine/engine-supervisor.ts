import type { EngineStatus } from '../../../common/contract/index.js';
import type { TaskOutcome } from '../../../common/engine/engine-task.js';
import {
  EngineMessage,
  engineTasks,
  type BackendReport,
  type EngineRequest,
  type EngineTaskMetrics,
  type EngineTaskName,
  type EngineTaskParameters,
  type EngineTaskResult,
} from '../../../common/engine/protocol.js';
import type { EventBus } from '../event-bus.js';
import type { JobExecutionContext } from '../jobs/job-manager.js';
import type { LogBuffer } from '../log-buffer.js';
import type {
  ChildProcessChannel,
  ChildProcessExit,
  ChildProcessLauncher,
} from '../child-process/child-process-channel.js';

const startupTimeoutMilliseconds = 120_000;

interface ActiveTask {
  jobId: string;
  task: EngineTaskName;
  context: JobExecutionContext;
  onMetrics?: ((metrics: never) => void) | undefined;
  resolve(outcome: TaskOutcome<unknown>): void;
  reject(error: Error): void;
}

/**
 * Owns the ML engine process: starts it on demand, forwards tasks and cancellation, and turns its death into a
 * failed job with the reason, then starts a fresh engine for the next task.
 */
export class EngineSupervisor {
  private channel: ChildProcessChannel | null = null;
  private ready: Promise<BackendReport> | null = null;
  private activeTask: ActiveTask | null = null;
  private currentStatus: EngineStatus = {
    state: 'stopped',
    processId: null,
    backend: null,
    threads: null,
    device: null,
    attempts: [],
    lastExitReason: null,
  };

  constructor(
    private readonly launch: ChildProcessLauncher,
    private readonly events: EventBus,
    private readonly logs: LogBuffer,
    /**
     * A helper engine (search queries) keeps its status to itself: the app's engine status is the training engine's.
     */
    private readonly options: { publishStatus: boolean } = { publishStatus: true },
  ) {}

  get status(): EngineStatus {
    return structuredClone(this.currentStatus);
  }

  /** Starts the engine if it is not running and resolves once it has chosen its backend. */
  start(): Promise<BackendReport> {
    if (this.ready) return this.ready;
    const channel = this.launch();
    this.channel = channel;
    this.updateStatus({ state: 'starting', processId: channel.processId });
    this.ready = new Promise<BackendReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The ML engine did not start within ${startupTimeoutMilliseconds / 1000} s.`));
        channel.kill();
      }, startupTimeoutMilliseconds);
      channel.onOutput((stream, line) => this.logs.write(stream === 'stderr' ? 'warn' : 'info', 'engine', line));
      channel.onMessage((raw) => {
        const parsed = EngineMessage.safeParse(raw);
        if (!parsed.success) {
          this.logs.write('error', 'engine', `Malformed engine message ignored: ${parsed.error.message}`);
          return;
        }
        const message = parsed.data;
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.updateStatus({
            state: 'ready',
            backend: message.report.backend,
            threads: message.report.threads,
            device: message.report.device,
            attempts: message.report.attempts,
          });
          this.logs.write(
            'info',
            'engine',
            `ML backend: ${message.report.backend}${message.report.device ? ` on ${message.report.device}` : ` (${message.report.threads} thread(s))`}`,
          );
          resolve(message.report);
        } else if (message.type === 'startup-failed') {
          clearTimeout(timer);
          reject(new Error(`The ML engine could not start: ${message.error}`));
        } else {
          this.onTaskMessage(message);
        }
      });
      channel.onExit((exit) => {
        clearTimeout(timer);
        const reason = describeExit(exit);
        reject(new Error(`The ML engine exited while starting (${reason}).`));
        this.onExit(channel, reason);
      });
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /**
   * Runs one engine task for a job; `onMetrics` receives what the task reports for the run's curves and results. Both
   * those and the result are checked against the task's declaration (common/engine/<task>-task.ts) first.
   */
  async runTask<Name extends EngineTaskName>(
    jobId: string,
    task: Name,
    parameters: EngineTaskParameters<Name>,
    context: JobExecutionContext,
    onMetrics?: (metrics: EngineTaskMetrics<Name>) => void,
  ): Promise<TaskOutcome<EngineTaskResult<Name>>> {
    await this.start();
    if (this.activeTask) throw new Error('The engine is busy with another job.');
    const channel = this.channel!;
    return new Promise<TaskOutcome<EngineTaskResult<Name>>>((resolve, reject) => {
      this.activeTask = {
        jobId,
        task,
        context,
        onMetrics,
        resolve: resolve as (outcome: TaskOutcome<unknown>) => void,
        reject,
      };
      const cancel = (): void => this.send(channel, { type: 'cancel-task', jobId });
      if (context.signal.aborted) cancel();
      else context.signal.addEventListener('abort', cancel, { once: true });
      this.send(channel, { type: 'run-task', jobId, task, parameters: parameters as Record<string, unknown> });
    });
  }

  /** Stops the engine process; a later task starts a new one. */
  stop(): void {
    const channel = this.channel;
    if (!channel) return;
    this.send(channel, { type: 'shutdown' });
    setTimeout(() => {
      if (this.channel === channel) channel.kill();
    }, 2000).unref();
  }

  private send(channel: ChildProcessChannel, request: EngineRequest): void {
    channel.send(request);
  }

  private onTaskMessage(message: Exclude<EngineMessage, { type: 'ready' | 'startup-failed' }>): void {
    if (message.type === 'task-log') {
      this.logs.write(message.level, 'engine', message.message);
      return;
    }
    const task = this.activeTask;
    if (!task || task.jobId !== message.jobId) return;
    if (message.type === 'task-progress') {
      task.context.reportProgress({
        done: message.done,
        total: message.total,
        unit: message.unit,
        message: message.message ?? null,
      });
      return;
    }
    if (message.type === 'task-metrics') {
      try {
        task.onMetrics?.(engineTasks[task.task].metrics.parse(message.metrics) as never);
      } catch (error) {
        this.logs.write(
          'error',
          'engine',
          `Metrics of job ${task.jobId} could not be stored: ${(error as Error).message}`,
        );
      }
      return;
    }
    this.activeTask = null;
    if (message.type === 'task-failed') {
      task.reject(new Error(message.error));
      return;
    }
    if (message.outcome === 'cancelled') {
      task.resolve({ outcome: 'cancelled', result: message.result });
      return;
    }
    const result = engineTasks[task.task].result.safeParse(message.result);
    if (result.success) task.resolve({ outcome: 'succeeded', result: result.data });
    else
      task.reject(
        new Error(`The engine's result for ${task.task} is not what the task declares: ${result.error.message}`),
      );
  }

  private onExit(channel: ChildProcessChannel, reason: string): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.ready = null;
    const task = this.activeTask;
    this.activeTask = null;
    const expected = reason === 'exit code 0';
    this.updateStatus({ state: expected ? 'stopped' : 'crashed', processId: null, lastExitReason: reason });
    this.logs.write(expected ? 'info' : 'error', 'engine', `Engine process ended (${reason}).`);
    task?.reject(
      new Error(
        `The ML engine process stopped during the job (${reason}); the app is still running and the next job starts a new engine.`,
      ),
    );
  }

  private updateStatus(change: Partial<EngineStatus>): void {
    this.currentStatus = { ...this.currentStatus, ...change };
    if (this.options.publishStatus) this.events.publish({ name: 'engine.status', payload: this.status });
  }
}

function describeExit(exit: ChildProcessExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === 134 || exit.code === 133) return `exit code ${exit.code}, likely out of memory`;
  return `exit code ${exit.code}`;
}
