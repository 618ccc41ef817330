import { SelfCheckParameters } from '../../../common/contract/index.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { commonOptions, integerOption, type CliCommand } from '../cli-command.js';

export const selfcheckCommand: CliCommand = {
  name: 'selfcheck',
  summary:
    'Run the engine self-check job: matMul correctness against an exact reference, a leak check, and throughput.',
  usage: 'unisight selfcheck [--iterations N] [--matrix-size N] [--library DIR] [--json]',
  options: {
    ...commonOptions,
    iterations: { type: 'string' },
    'matrix-size': { type: 'string' },
  },
  optionHelp: { iterations: 'matMul steps to run', 'matrix-size': 'side of the square matrices multiplied' },
  run: async ({ values, output }) => {
    const parameters = SelfCheckParameters.parse({
      iterations: integerOption(values.iterations, 'iterations'),
      matrixSize: integerOption(values['matrix-size'], 'matrix-size'),
    });
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const report = await core.engine.start();
      output.say(`Engine backend: ${report.backend}`);
      const job = await runJobToEnd(core, await core.handlers['engine.selfcheck'](parameters), output);
      const result = job.result ?? {};
      output.result(
        { job },
        job.state === 'succeeded'
          ? `Self-check passed on ${String(result.backend)}: ${String(result.medianMillisecondsPerMatMul)} ms per ${parameters.matrixSize}² matMul, ${String(result.gigaflopsPerSecond)} GFLOP/s, no leaked tensors.`
          : `Self-check ${job.state}${job.error ? `: ${job.error}` : ''}`,
      );
      if (job.state === 'succeeded') return 0;
      if (job.state === 'cancelled') return 130;
      return 1;
    } finally {
      await core.close();
    }
  },
};
