import { spawn } from 'node:child_process';

/** Asks the OS to open the address in the user's browser; on a headless machine says why it could not. */
export function openBrowser(
  url: string,
  environment: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): { opened: boolean; reason: string } {
  if (platform === 'linux' && !environment.DISPLAY && !environment.WAYLAND_DISPLAY) {
    return { opened: false, reason: 'no display on this machine' };
  }
  const [program, ...args] =
    platform === 'darwin'
      ? ['open', url]
      : platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  try {
    const child = spawn(program!, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return { opened: true, reason: '' };
  } catch (error) {
    return { opened: false, reason: (error as Error).message };
  }
}
