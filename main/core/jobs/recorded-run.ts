import fs from 'node:fs';
import { ApiError } from '../../api/api-error.js';
import { diskFullMessage, errorText, isDiskFull } from '../library/disk-full.js';
import type { JobOutcome } from './job-manager.js';

/** A training run recorded in the catalog whose state follows the job that runs it. */
export interface RecordedRun {
  /** Where the run writes its checkpoints (named when the disk is full). */
  folder: string;
  setState(state: 'running' | 'cancelled' | 'failed', error?: string): void;
  publish(): void;
}

/**
 * Runs a job's work for a recorded run: the run is `running` while it works, `cancelled` when the work stops early
 * or the job is cancelled, `failed` with the reason when it throws; every change is published. The work records a
 * success itself, with its results.
 */
export async function followRecordedRun(
  run: RecordedRun,
  signal: AbortSignal,
  work: () => Promise<JobOutcome>,
): Promise<JobOutcome> {
  run.setState('running');
  run.publish();
  try {
    const outcome = await work();
    if (outcome.outcome === 'cancelled') run.setState('cancelled');
    return outcome;
  } catch (caught) {
    const error = isDiskFull(errorText(caught))
      ? new Error(
          diskFullMessage(`the run's folder (${run.folder})`, 'resume the run: it goes on from its last checkpoint.'),
          { cause: caught },
        )
      : caught;
    // On a full disk recording the state may fail too: the job still ends with the cause, not SQLite's error (the
    // job's own end carries it, and JobManager keeps trying to save that). Any other failure to record is raised.
    try {
      if (signal.aborted) run.setState('cancelled');
      else run.setState('failed', (error as Error).message);
    } catch (recording) {
      if (!isDiskFull(errorText(recording))) throw recording;
    }
    throw error;
  } finally {
    run.publish();
  }
}

/** A finished run, or one queued or running, cannot be resumed. */
export function assertResumable(run: { name: string; state: string }): void {
  if (run.state === 'succeeded') throw new ApiError('conflict', `Run ${run.name} has already finished.`);
  if (run.state === 'queued' || run.state === 'running')
    throw new ApiError('conflict', `Run ${run.name} is already ${run.state}.`);
}

/** A new run's folder with the snapshot of its data written atomically, so a resumed run trains on the same data. */
export function createRunDirectory(runDirectory: string, datasetFile: string, snapshot: unknown): void {
  fs.mkdirSync(runDirectory, { recursive: true });
  fs.writeFileSync(`${datasetFile}.partial`, JSON.stringify(snapshot));
  fs.renameSync(`${datasetFile}.partial`, datasetFile);
}
