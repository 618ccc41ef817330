import type { JobKind } from '../../common/contract/index.js';
import type { CoreService } from '../core/core-service.js';

/**
 * The run `--resume ID` means: `unisight jobs` lists job ids and the runs' own views list run ids, so either is
 * taken; a job id stands for the run its job trained.
 */
export async function runToResume(core: CoreService, id: string, jobKind: JobKind): Promise<string> {
  let job;
  try {
    job = await core.handlers['jobs.get']({ jobId: id });
  } catch {
    return id;
  }
  const runId = job.parameters.runId;
  return job.kind === jobKind && typeof runId === 'string' ? runId : id;
}
