import type { Job } from '../../common/contract/index.js';
import type { CoreService } from '../core/core-service.js';
import type { CliOutput } from './cli-command.js';
import { createJobProgressPrinter } from './job-progress-printer.js';

/** Follows a job in the terminal; Ctrl-C cancels it (work done is kept) instead of killing the process mid-write. */
export async function runJobToEnd(core: CoreService, job: Job, output: CliOutput): Promise<Job> {
  const print = createJobProgressPrinter(output, job.id);
  const unsubscribe = core.events.subscribe((event) => {
    if (event.name === 'job.updated') print(event.payload);
  });
  const onInterrupt = (): void => {
    output.say('\nCancelling… (press Ctrl-C again to force quit)');
    process.off('SIGINT', onInterrupt);
    core.jobs.cancel(job.id);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const finished = await core.jobs.waitForJob(job.id);
    if (process.stderr.isTTY && !output.json) process.stderr.write('\n');
    return finished;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
  }
}
