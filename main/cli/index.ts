import { parseArgs } from 'node:util';
import { prettifyError, ZodError } from 'zod';
import { commonOptionsHelp, CliUsageError, type CliCommand, type CliOutput } from './cli-command.js';
import { demoDataCommand } from './commands/demo-data.js';
import { demoCommand } from './commands/demo.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { jobsCommand } from './commands/jobs.js';
import { finetuneCommand } from './commands/finetune.js';
import { labelEfficiencyCommand } from './commands/label-efficiency.js';
import { pretrainCommand } from './commands/pretrain.js';
import { searchCommand } from './commands/search.js';
import { selfcheckCommand } from './commands/selfcheck.js';
import { serveCommand } from './commands/serve.js';
import { startCommand } from './commands/start.js';
import { weakLabelsCommand } from './commands/weak-labels.js';
import { exportTrainingCommand } from './commands/export-training.js';
import { modelsCommand } from './commands/models.js';

const commands: CliCommand[] = [
  startCommand,
  serveCommand,
  infoCommand,
  importCommand,
  demoDataCommand,
  demoCommand,
  selfcheckCommand,
  pretrainCommand,
  exportTrainingCommand,
  modelsCommand,
  weakLabelsCommand,
  finetuneCommand,
  labelEfficiencyCommand,
  searchCommand,
  jobsCommand,
];

function overview(): string {
  return [
    'Usage: unisight <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`),
    '',
    'Run `unisight <command> --help` for the options of one command.',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  const own = Object.keys(command.options).filter((name) => !['library', 'json', 'help'].includes(name));
  const entries: [string, string][] = [
    ...own.map((name): [string, string] => [`--${name}`, command.optionHelp[name] ?? '']),
    ...Object.entries(commonOptionsHelp),
  ];
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...entries.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`.trimEnd()),
  ].join('\n');
}

function createOutput(json: boolean): CliOutput {
  return {
    json,
    say: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    result: (value, human) => process.stdout.write(`${json ? JSON.stringify(value) : human}\n`),
  };
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${overview()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  const output = createOutput(wantsJson);
  try {
    if (!command)
      throw new CliUsageError(
        `unknown command "${name}". Commands: ${commands.map((candidate) => candidate.name).join(', ')}.`,
      );
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    return await command.run({ values: values as Record<string, string | boolean | undefined>, positionals, output });
  } catch (error) {
    const invalidValue = error instanceof ZodError;
    const usage =
      invalidValue ||
      error instanceof CliUsageError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    const text = invalidValue
      ? prettifyError(error).replaceAll('\n', ' ')
      : error instanceof Error
        ? error.message
        : String(error);
    const message = text.split('\n')[0]!;
    process.stderr.write(`unisight: ${message}\n`);
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    return usage ? 2 : 1;
  }
}

const exitCode = await runCli(process.argv.slice(2));
process.exitCode = exitCode;
