import { FinetuneRequest, type ClassifierRun } from '../../../common/contract/finetune.js';
import { CliUsageError, commonOptions, type CliCommand } from '../cli-command.js';
import { finetuneMethodName, finetuneMethodNames } from '../../../common/finetune-method-name.js';
import { parseMethod } from '../finetune-flags.js';
import { openCoreForCli } from '../open-core.js';
import { followFinetune } from './finetune.js';

const defaultFractions = [0.01, 0.1, 1];

function listOption(value: string | boolean | undefined, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '')
    throw new CliUsageError('lists are comma-separated, e.g. --fractions 0.01,0.1,1');
  return value.split(',').map((entry) => entry.trim());
}

interface StudyCell {
  method: string;
  fraction: number;
  runId: string;
  state: string;
  budgetImages: number | null;
  auroc: { estimate: number | null; lower: number | null; upper: number | null } | null;
  seconds: number | null;
}

const format = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : value.toFixed(3));

/**
 * Markdown: one row per method, one column per fraction (test AUROC with its 95% interval), and 1%-of-100% where both
 * ran.
 */
function studyTable(cells: StudyCell[], methods: string[], fractions: number[]): string {
  const cell = (method: string, fraction: number) =>
    cells.find((entry) => entry.method === method && entry.fraction === fraction);
  const header = `| method | ${fractions.map((fraction) => `${fraction * 100}% labels`).join(' | ')} | lowest ÷ highest |`;
  const rule = `|---|${fractions.map(() => '---').join('|')}|---|`;
  const rows = methods.map((method) => {
    const values = fractions.map((fraction) => {
      const entry = cell(method, fraction);
      if (!entry?.auroc) return entry ? entry.state : '—';
      return `${format(entry.auroc.estimate)} [${format(entry.auroc.lower)}, ${format(entry.auroc.upper)}] (${entry.budgetImages} images, ${Math.round(entry.seconds ?? 0)} s)`;
    });
    const low = cell(method, Math.min(...fractions))?.auroc?.estimate;
    const high = cell(method, Math.max(...fractions))?.auroc?.estimate;
    return `| ${method} | ${values.join(' | ')} | ${low && high ? `${((100 * low) / high).toFixed(1)}%` : 'n/a'} |`;
  });
  return [header, rule, ...rows].join('\n');
}

export const labelEfficiencyCommand: CliCommand = {
  name: 'label-efficiency',
  summary:
    'Run fine-tuning methods at several label budgets on one task and print test AUROC side by side (the label-efficiency study).',
  usage: `unisight label-efficiency --task T [--methods ${finetuneMethodNames.slice(0, 3).join(',')},…] [--fractions 0.01,0.1,1] [--model ID] [--library DIR] [--json]`,
  options: {
    ...commonOptions,
    task: { type: 'string' },
    methods: { type: 'string' },
    fractions: { type: 'string' },
    model: { type: 'string' },
  },
  optionHelp: {
    task: 'the labelled task',
    methods: `comma-separated methods (default all: ${finetuneMethodNames.join(',')})`,
    fractions: 'comma-separated label fractions (default 0.01,0.1,1)',
    model: 'the pretrained encoder (default: the newest trained model)',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length > 0) throw new CliUsageError('label-efficiency takes no positional arguments.');
    if (typeof values.task !== 'string') throw new CliUsageError('label-efficiency needs --task.');
    const methods = listOption(values.methods, finetuneMethodNames);
    methods.forEach(parseMethod);
    const fractions = listOption(values.fractions, defaultFractions.map(String)).map((entry) => {
      const fraction = Number(entry);
      if (!(fraction > 0 && fraction <= 1)) throw new CliUsageError(`fractions are in (0, 1]; got "${entry}".`);
      return fraction;
    });
    const core = openCoreForCli(values.library as string | undefined);
    const cells: StudyCell[] = [];
    try {
      for (const method of methods) {
        for (const fraction of fractions) {
          const request = FinetuneRequest.parse({
            task: values.task,
            modelId: values.model,
            labelFraction: fraction,
            ...parseMethod(method),
          });
          const started = await core.handlers['finetune.start']({ options: request });
          const { job, run } = await followFinetune(core, started, output);
          const seconds =
            job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
          cells.push({
            method: finetuneMethodName(run as ClassifierRun),
            fraction,
            runId: run.id,
            state: run.state,
            budgetImages: (run.description?.budgetImages as number | undefined) ?? null,
            auroc: run.test?.metrics.auroc ?? null,
            seconds,
          });
          output.say(
            `${method} at ${fraction * 100}%: ${run.state}, test AUROC ${format(run.test?.metrics.auroc.estimate)}`,
          );
          if (job.state === 'cancelled') {
            output.result({ cells, cancelled: true }, studyTable(cells, methods, fractions));
            return 130;
          }
        }
      }
      output.result(
        { task: values.task, cells },
        `Test AUROC [95% bootstrap interval] on task ${values.task}:\n\n${studyTable(cells, methods, fractions)}`,
      );
      return cells.every((cell) => cell.state === 'succeeded') ? 0 : 1;
    } finally {
      await core.close();
    }
  },
};
