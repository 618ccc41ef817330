import { spawn } from 'node:child_process';
import { packageRoot } from '../../core/install-paths.js';
import { locateElectronBinary } from '../../launch/electron-binary.js';
import { serveUntilStopped } from './serve.js';
import { commonOptions, integerOption, type CliCommand } from '../cli-command.js';

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Open the desktop app; where the Electron binary or a display is missing, open browser mode instead.',
  usage: 'unisight start [--port P] [--library DIR]',
  options: { ...commonOptions, port: { type: 'string' } },
  optionHelp: { port: 'port for browser mode when the desktop window cannot open (a free one by default)' },
  run: async ({ values, output }) => {
    const library = values.library as string | undefined;
    const electron = locateElectronBinary();
    if (!electron.available) {
      output.say(`Desktop window unavailable: ${electron.reason}. Opening browser mode instead.`);
      return serveUntilStopped({ library, port: integerOption(values.port, 'port') ?? 0, open: true }, output);
    }
    const child = spawn(electron.path, [packageRoot], {
      stdio: 'inherit',
      env: library ? { ...process.env, UNISIGHT_LIBRARY: library } : process.env,
    });
    return new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  },
};
