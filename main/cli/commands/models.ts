import path from 'node:path';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { CliUsageError, commonOptions, type CliCommand } from '../cli-command.js';
import { formatImageProbe, formatRecall } from './pretrain.js';

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: "List the library's models, or import one trained on a cluster by the scale-out trainer.",
  usage: 'unisight models list | import <model.unisight-tensors> [--name NAME] [--library DIR] [--json]',
  options: { ...commonOptions, name: { type: 'string' } },
  optionHelp: { name: 'a name for the imported model (default: the run folder)' },
  run: async ({ values, positionals, output }) => {
    const [action, file, ...rest] = positionals;
    if (action === 'list' && file === undefined) {
      const core = openCoreForCli(values.library as string | undefined);
      try {
        const models = await core.handlers['models.list']({});
        output.result(
          { models },
          models.length === 0
            ? 'No models yet.'
            : models.map((model) => `${model.id}  ${model.origin.padEnd(8)} ${model.name}`).join('\n'),
        );
        return 0;
      } finally {
        await core.close();
      }
    }
    if (action !== 'import' || file === undefined || rest.length > 0)
      throw new CliUsageError('models takes "list", or "import" and one file (the trainer\'s model.unisight-tensors).');
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const { model, job } = await core.handlers['models.importCheckpoint']({
        file: path.resolve(file),
        name: values.name as string | undefined,
      });
      output.say(`Imported ${model.name} as ${model.id}; embedding the library and judging it on its test split…`);
      const finished = await runJobToEnd(core, job, output);
      if (finished.state !== 'succeeded') {
        output.result(
          { model, job: finished },
          `The model is imported, but embedding failed: ${finished.error ?? finished.state}.`,
        );
        return 1;
      }
      const judged = (await core.handlers['models.list']({})).find((candidate) => candidate.id === model.id)!;
      output.result(
        { modelId: judged.id, model: judged, job: finished },
        [
          `Model ${judged.id} (${judged.name}), ${judged.embeddedImages} images embedded.`,
          ...formatRecall('test', judged.metrics.test),
          ...formatImageProbe(judged.metrics.imageProbe),
          `Search with it: unisight search "pleural effusion" --mode semantic --model ${judged.id}`,
        ].join('\n'),
      );
      return 0;
    } finally {
      await core.close();
    }
  },
};
