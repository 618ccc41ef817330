import type { ParseArgsOptionsConfig } from 'node:util';
import { StudyImages, studyImagePolicies } from '../../common/contract/training.js';

export interface CliOutput {
  /** Human-readable progress and messages; stderr when --json keeps stdout for the result. */
  say(line: string): void;
  /** The command's result: one JSON object as the last stdout line with --json, else the human text. */
  result(json: Record<string, unknown>, human: string): void;
  json: boolean;
}

export interface CliInvocation {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  output: CliOutput;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: ParseArgsOptionsConfig;
  /** One line per own option (not the common ones), shown by --help. */
  optionHelp: Record<string, string>;
  /** Resolves to the exit code; long-running commands (serve) resolve when they stop. */
  run(invocation: CliInvocation): Promise<number>;
}

export const commonOptions: ParseArgsOptionsConfig = {
  library: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const commonOptionsHelp: Record<string, string> = {
  '--library DIR': 'library folder (default: $UNISIGHT_LIBRARY, else the platform app-data folder)',
  '--json': 'print one JSON object as the last line of output',
  '-h, --help': 'show this help',
};

export class CliUsageError extends Error {}

export function integerOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(parsed))
    throw new CliUsageError(`--${name} needs a whole number, got "${String(value)}".`);
  return parsed;
}

export function numberOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(parsed))
    throw new CliUsageError(`--${name} needs a number, got "${String(value)}".`);
  return parsed;
}

/** `--study-images one|frontal|every` (pretraining and fine-tuning), or a usage error naming the choices. */
export function studyImagesOption(value: string | boolean | undefined): StudyImages | undefined {
  if (value === undefined) return undefined;
  const parsed = StudyImages.safeParse(value);
  if (!parsed.success) throw new CliUsageError(`--study-images is ${studyImagePolicies.join(', ')}.`);
  return parsed.data;
}

/** What `--study-images` says in both commands' help. */
export const studyImagesHelp =
  "one (default): each epoch one image per study, drawn anew, so a CT series or a study's second view is not many pairs; frontal: one of its PA/AP views where it has any; series: one image of one of its series, each series with equal chance; every: each image its own pair";
