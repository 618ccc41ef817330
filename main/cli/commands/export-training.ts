import fs from 'node:fs';
import path from 'node:path';
import { PretrainRequest } from '../../../common/contract/index.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { CliUsageError, commonOptions, type CliCommand } from '../cli-command.js';
import { optionsFromFlags, pretrainCommand } from './pretrain.js';

const { name: _name, resume: _resume, ...trainingOptions } = pretrainCommand.options;
const { name: _nameHelp, resume: _resumeHelp, ...trainingHelp } = pretrainCommand.optionHelp;

function readConfig(file: string): PretrainRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliUsageError(`--config ${file} cannot be read as JSON (${(error as Error).message}).`);
  }
  const request = PretrainRequest.safeParse(parsed);
  if (!request.success)
    throw new CliUsageError(
      `--config ${file} is not a set of training options: ${request.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`,
    );
  return request.data;
}

export const exportTrainingCommand: CliCommand = {
  name: 'export-training',
  summary:
    'Write a training bundle (data shards, encoder, tokenizer, PyTorch trainer) to train on a cluster with torchrun.',
  usage:
    'unisight export-training <dir> [--preset P | --config FILE] [pretrain options] [--model ID] [--dry-run] [--library DIR] [--json]',
  options: {
    ...commonOptions,
    ...trainingOptions,
    config: { type: 'string' },
    model: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
  optionHelp: {
    ...trainingHelp,
    config: 'training options as JSON (the training.start options: preset, encoder overrides, epochs, batch size…)',
    model: "continue from this model's weights and tokenizer",
    'dry-run': 'only list what the bundle would hold and what leaves the machine with it',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length !== 1) throw new CliUsageError('export-training takes one folder: the bundle to write.');
    const folder = path.resolve(positionals[0]!);
    const options = values.config === undefined ? optionsFromFlags(values) : readConfig(values.config as string);
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const request = { folder, options, modelId: values.model as string | undefined };
      // What leaves the machine is listed before anything is written.
      const { manifest } = await core.handlers['training.exportBundle']({ ...request, dryRun: true });
      output.say(
        [
          `A bundle of ${manifest.pairs.train} training, ${manifest.pairs.validation} validation and ${manifest.pairs.test} test pairs (${manifest.patients} patients). It carries off this machine:`,
          ...manifest.leavesTheMachine.map((line) => `  - ${line}`),
        ].join('\n'),
      );
      if (values['dry-run']) {
        output.result({ folder, manifest, files: [], bytes: 0 }, 'Nothing written (--dry-run).');
        return 0;
      }
      const { job } = await core.handlers['training.exportBundle']({ ...request, dryRun: false });
      const finished = await runJobToEnd(core, job!, output);
      if (finished.state !== 'succeeded') {
        output.result(
          { folder, manifest, job: finished },
          finished.state === 'cancelled'
            ? `Cancelled; nothing of the bundle is left in ${folder}.`
            : `The bundle could not be written: ${finished.error ?? finished.state}.`,
        );
        return 1;
      }
      const written = finished.result as { files: string[]; bytes: number };
      const next = `cd ${folder} && python3 -m torch.distributed.run --nproc_per_node 2 train.py --out run`;
      output.result(
        { folder, manifest, files: written.files, bytes: written.bytes, next },
        [
          `Wrote ${written.files.length} files (${(written.bytes / 1024 ** 2).toFixed(1)} MB) to ${folder}.`,
          `Train: ${next}`,
          `Then: unisight models import ${path.join(folder, 'run', 'model.unisight-tensors')}`,
        ].join('\n'),
      );
      return 0;
    } finally {
      await core.close();
    }
  },
};
