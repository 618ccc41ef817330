// Jobs: every long piece of work, listed, looked up and cancelled.
import type { ApiHandlers } from '../../../common/contract/index.js';
import type { JobManager } from './job-manager.js';

export function jobHandlers(jobs: JobManager): Pick<ApiHandlers, 'jobs.list' | 'jobs.get' | 'jobs.cancel'> {
  return {
    'jobs.list': async ({ limit }) => jobs.list(limit),
    'jobs.get': async ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => jobs.cancel(jobId),
  };
}
