import { formatJobProgress } from '../job-progress-printer.js';
import { openCoreForCli } from '../open-core.js';
import { commonOptions, integerOption, type CliCommand } from '../cli-command.js';

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: 'List recent jobs of the library with their state and progress.',
  usage: 'unisight jobs [--limit N] [--library DIR] [--json]',
  options: { ...commonOptions, limit: { type: 'string' } },
  optionHelp: { limit: 'how many recent jobs to list (default 20)' },
  run: async ({ values, output }) => {
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const jobs = await core.handlers['jobs.list']({ limit: integerOption(values.limit, 'limit') ?? 20 });
      const human = jobs.length
        ? jobs
            .map(
              (job) =>
                `${job.createdAt}  ${job.id}  ${job.kind}  ${job.state}  ${formatJobProgress(job)}${job.error ? `\n    ${job.error}` : ''}`,
            )
            .join('\n')
        : 'No jobs yet.';
      output.result({ jobs }, human);
      return 0;
    } finally {
      await core.close();
    }
  },
};
