import fs from 'node:fs';
import { ReportLabelRules } from '../../../common/contract/report-label-rules.js';
import { openCoreForCli } from '../open-core.js';
import { CliUsageError, commonOptions, type CliCommand } from '../cli-command.js';

function readRules(file: string | undefined): ReportLabelRules | undefined {
  if (file === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliUsageError(`--rules ${file} cannot be read as JSON (${(error as Error).message}).`);
  }
  const rules = ReportLabelRules.safeParse(parsed);
  if (!rules.success)
    throw new CliUsageError(
      `--rules ${file} is not a rule set: ${rules.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`,
    );
  return rules.data;
}

export const weakLabelsCommand: CliCommand = {
  name: 'weak-labels',
  summary:
    'Label every study from its report text by keyword rules that respect negation, and compare with expert labels.',
  usage: 'unisight weak-labels [--rules FILE] [--library DIR] [--json]',
  options: { ...commonOptions, rules: { type: 'string' } },
  optionHelp: {
    rules:
      "a JSON rule set (findings with their terms, negation cues, search synonyms); it becomes the library's, and search reads by it too. Default: the library's rules, at first the chest radiograph findings (nodule, consolidation, effusion, cardiomegaly, pneumothorax, abnormal)",
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length > 0) throw new CliUsageError('weak-labels takes no positional arguments.');
    const rules = readRules(values.rules as string | undefined);
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const written = await core.handlers['labels.fromReports']({ rules });
      const agreement = await core.handlers['labels.weakAgreement']({});
      const lines = [
        `Weak labels (source "report-rules") for ${written.studiesLabelled} studies with a report; positives: ${Object.entries(
          written.positivesByTask,
        )
          .map(([task, positives]) => `${task} ${positives}`)
          .join(', ')}.`,
        agreement.studiesCompared === 0
          ? 'No other labels to compare with.'
          : `Agreement with the library's other labels: every task right on ${agreement.studiesAgreeingOnEveryTask} of ${agreement.studiesCompared} studies (${((100 * agreement.studiesAgreeingOnEveryTask) / agreement.studiesCompared).toFixed(1)}%).`,
        ...agreement.tasks.map(
          (task) =>
            `  ${task.task}: ${task.agreeing} of ${task.studiesCompared} (${((100 * task.agreeing) / task.studiesCompared).toFixed(1)}%)`,
        ),
      ];
      output.result({ written, agreement }, lines.join('\n'));
      return 0;
    } finally {
      await core.close();
    }
  },
};
