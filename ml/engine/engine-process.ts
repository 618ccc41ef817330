// The ML engine process (entered through main/core/engine/engine-entry.ts). It owns TensorFlow.js, runs one task at a
// time, and reports progress; the core supervises it, so an OOM or crash here fails the job but never the app.
import { runEmbedLibrary } from '../tasks/embed-library.js';
import { runEncodeTexts } from '../tasks/encode-texts.js';
import { runFinetuning } from '../tasks/finetune.js';
import { runPretraining } from '../tasks/pretrain.js';
import { runSelfCheck } from '../tasks/self-check.js';
import type { EngineTask, TaskContext } from '../../common/engine/engine-task.js';
import { parseRequestedBackend, selectBackend } from '../backends/select-backend.js';
import { onGpuFailure } from '../backends/webgpu-device.js';
import type { ParentPort } from '../../common/parent-port.js';
import {
  EngineRequest,
  engineTasks,
  type EngineMessage,
  type EngineTaskName,
  type EngineTaskParsedParameters,
} from '../../common/engine/protocol.js';

const tasks: { [Name in EngineTaskName]: EngineTask<Name> } = {
  selfcheck: runSelfCheck,
  pretrain: runPretraining,
  finetune: runFinetuning,
  'encode-texts': runEncodeTexts,
  'embed-library': runEmbedLibrary,
};

/** The task's parameters checked against its declaration (common/engine/<task>-task.ts) before it runs. */
function runNamedTask<Name extends EngineTaskName>(
  name: Name,
  parameters: Record<string, unknown>,
  context: TaskContext<Record<string, unknown>>,
): ReturnType<EngineTask<Name>> {
  const parsed = engineTasks[name].parameters.parse(parameters) as EngineTaskParsedParameters<Name>;
  return (tasks[name] as EngineTask<Name>)(parsed, context as TaskContext<never>);
}

let port: ParentPort;
const send = (message: EngineMessage): void => port.send(message);
const cancelledJobs = new Set<string>();
let busy = false;
let currentJob: string | null = null;
let backendName = 'unknown';

async function runTask(jobId: string, task: EngineTaskName, parameters: Record<string, unknown>): Promise<void> {
  if (busy) {
    send({ type: 'task-failed', jobId, error: 'The engine is already running a task.' });
    return;
  }
  busy = true;
  currentJob = jobId;
  const context: TaskContext<Record<string, unknown>> = {
    backend: backendName,
    reportProgress: (done, total, message) =>
      send({ type: 'task-progress', jobId, done, total, message: message ?? null }),
    reportMetrics: (metrics) => send({ type: 'task-metrics', jobId, metrics }),
    log: (level, message) => send({ type: 'task-log', jobId, level, message }),
    isCancelled: () => cancelledJobs.has(jobId),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  };
  try {
    const outcome = await runNamedTask(task, parameters, context);
    send({ type: 'task-finished', jobId, outcome: outcome.outcome, result: outcome.result });
  } catch (error) {
    send({ type: 'task-failed', jobId, error: error instanceof Error ? error.message : String(error) });
  } finally {
    cancelledJobs.delete(jobId);
    busy = false;
    currentJob = null;
  }
}

/** Chooses a backend, says ready (or why not), then runs the tasks the core sends over `parentPort`. */
export async function serveEngine(parentPort: ParentPort): Promise<void> {
  port = parentPort;
  try {
    const report = await selectBackend(parseRequestedBackend(process.env.UNISIGHT_BACKEND));
    backendName = report.backend;
    // After a GPU error every later result is suspect: the job fails with the reason, and the engine ends so that the
    // next job starts a fresh one (the core restarts it).
    if (report.backend === 'webgpu')
      onGpuFailure((reason) => {
        const error = `${reason[0]!.toUpperCase()}${reason.slice(1)}; the engine restarts for the next job.`;
        if (currentJob) port.send({ type: 'task-failed', jobId: currentJob, error } satisfies EngineMessage);
        port.send({ type: 'task-log', jobId: currentJob, level: 'error', message: error } satisfies EngineMessage, () =>
          process.exit(1),
        );
      });
    send({ type: 'ready', report });
  } catch (error) {
    send({ type: 'startup-failed', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  port.onMessage((raw) => {
    const parsed = EngineRequest.safeParse(raw);
    if (!parsed.success) {
      send({
        type: 'task-log',
        jobId: null,
        level: 'error',
        message: `Ignored a malformed request: ${parsed.error.message}`,
      });
      return;
    }
    const request = parsed.data;
    if (request.type === 'run-task') void runTask(request.jobId, request.task, request.parameters);
    else if (request.type === 'cancel-task') cancelledJobs.add(request.jobId);
    else process.exit(0);
  });
}
