import { rendererDirectory } from '../../core/install-paths.js';
import { openBrowser } from '../../launch/open-browser.js';
import { startServer } from '../../server/http-server.js';
import { openCoreForCli } from '../open-core.js';
import { commonOptions, integerOption, type CliCommand, type CliOutput } from '../cli-command.js';

export interface ServeSettings {
  library: string | undefined;
  port: number;
  open: boolean;
}

/** Runs server mode until SIGINT/SIGTERM; shared by `serve` and the browser fallback of `start`. */
export async function serveUntilStopped(settings: ServeSettings, output: CliOutput): Promise<number> {
  const core = openCoreForCli(settings.library);
  const server = await startServer({ core, rendererDirectory, port: settings.port });
  void core.engine.start().catch((error: unknown) => output.say(`Engine failed to start: ${(error as Error).message}`));
  const library = core.catalog.libraryPath;
  output.result(
    { url: server.url, origin: server.origin, port: server.port, library },
    `Unisight is serving ${library}\nOpen ${server.url}\n(only this machine can connect; the token in the address is required; Ctrl-C stops)`,
  );
  if (settings.open) {
    const opened = openBrowser(server.url);
    if (!opened.opened) output.say(`Could not open a browser (${opened.reason}); open the address above yourself.`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  output.say('Stopping: finishing the current step of running jobs…');
  await server.close();
  await core.close();
  return 0;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the Unisight app and API on 127.0.0.1 (browser mode), guarded by a per-launch access token.',
  usage: 'unisight serve [--port P] [--open] [--library DIR] [--json]',
  options: { ...commonOptions, port: { type: 'string' }, open: { type: 'boolean', default: false } },
  optionHelp: { port: 'port on 127.0.0.1 (a free one by default)', open: 'open the address in the default browser' },
  run: ({ values, output }) =>
    serveUntilStopped(
      {
        library: values.library as string | undefined,
        port: integerOption(values.port, 'port') ?? 0,
        open: values.open === true,
      },
      output,
    ),
};
