import type { AppInfo } from '../../../common/contract/index.js';
import { openCoreForCli } from '../open-core.js';
import { commonOptions, type CliCommand } from '../cli-command.js';

function describe(info: AppInfo): string {
  const lines = [
    `Unisight ${info.appVersion}`,
    `Node ${info.nodeVersion}${info.electronVersion ? `, Electron ${info.electronVersion}` : ''} on ${info.platform}/${info.architecture}`,
    `Library: ${info.library.path} (schema ${info.library.schemaVersion}, ${info.library.databaseBytes} bytes)`,
    `ML backend: ${info.engine.backend ?? 'none'}${info.engine.device ? ` on ${info.engine.device}` : ''}${info.engine.threads ? ` (${info.engine.threads} thread(s))` : ''}`,
    ...info.engine.attempts.map((attempt) => `  ${attempt.chosen ? '*' : '-'} ${attempt.backend}: ${attempt.reason}`),
    `JPEG 2000 decoder: ${info.jpeg2000Decoder.route}: ${info.jpeg2000Decoder.reason}`,
  ];
  return lines.join('\n');
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary:
    'Show versions, the library in use, and which ML backend the engine picks (and why the others were skipped).',
  usage: 'unisight info [--library DIR] [--json]',
  options: commonOptions,
  optionHelp: {},
  run: async ({ values, output }) => {
    const core = openCoreForCli(values.library as string | undefined);
    try {
      await core.engine.start();
      const info = await core.handlers['app.info']({});
      output.result(info, describe(info));
      return 0;
    } finally {
      await core.close();
    }
  },
};
