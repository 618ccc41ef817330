import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliEntry = path.join(projectRoot, 'bin', 'unisight.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  origin: string;
  port: number;
  token: string;
  output: string[];
  /** POSTs an API call with the token and returns the decoded reply. */
  call<T = unknown>(
    method: string,
    input?: unknown,
  ): Promise<{ status: number; body: { result?: T; error?: { kind: string; message: string } } }>;
  stop(): Promise<number | null>;
}

/** Starts the real `unisight serve` process, as a user would, and waits for its address. */
export async function startServeProcess(
  libraryPath: string,
  extraEnvironment: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliEntry, 'serve', '--port', '0', '--json', '--library', libraryPath], {
    cwd: projectRoot,
    env: { ...process.env, ...extraEnvironment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      if (line.startsWith('{')) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${output.join('\n')}`)));
  });
  const announced = JSON.parse(first) as { url: string; origin: string; port: number };
  const token = new URL(announced.url).searchParams.get('token')!;
  return {
    child,
    url: announced.url,
    origin: announced.origin,
    port: announced.port,
    token,
    output,
    call: async (method, input = {}) => {
      const response = await fetch(`${announced.origin}/api/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMilliseconds = 30_000,
  intervalMilliseconds = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMilliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMilliseconds));
  }
}

/** A method's result, or an error carrying the server's reply when it is not a success. */
export async function callOk<T>(server: ServeProcess, method: string, input: Record<string, unknown> = {}): Promise<T> {
  const reply = await server.call<T>(method, input);
  if (reply.status !== 200) throw new Error(`${method}: ${JSON.stringify(reply.body)}`);
  return reply.body.result!;
}

/** Resolves with the job once it is no longer queued or running. */
export function jobFinished(
  server: ServeProcess,
  jobId: string,
  timeoutMilliseconds = 240_000,
): Promise<{ state: string; error: string | null }> {
  return waitUntil(async () => {
    const job = await callOk<{ state: string; error: string | null }>(server, 'jobs.get', { jobId });
    return job.state === 'queued' || job.state === 'running' ? null : job;
  }, timeoutMilliseconds);
}
