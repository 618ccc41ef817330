import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { engineEntryFile } from '../../../../main/core/install-paths.js';

function alive(processId: number): boolean {
  try {
    process.kill(processId, 0);
    return true;
  } catch {
    return false;
  }
}

// A parent of its own (a second Node process) forks the real engine and sets it a long task; the test then kills that
// parent outright, as a crash or `kill -9` would, and watches what becomes of the engine.
const parentScript = `
const { fork } = require('node:child_process');
const engine = fork(process.argv[1], [], {
  stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  env: { ...process.env, UNISIGHT_BACKEND: 'cpu' },
  serialization: 'advanced',
});
engine.on('message', (message) => {
  if (message.type === 'ready') {
    engine.send({ type: 'run-task', jobId: 'long', task: 'selfcheck', parameters: { iterations: 100000, matrixSize: 64 } });
  } else if (message.type === 'task-progress') {
    console.log(JSON.stringify({ engine: engine.pid }));
  }
});
`;

describe('a child process whose parent dies', () => {
  it('ends, even in the middle of a task, rather than working on for no one', async () => {
    const parent = spawn(process.execPath, ['-e', parentScript, engineEntryFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = readline.createInterface({ input: parent.stdout! });
    const engine = await new Promise<number>((resolve) =>
      lines.once('line', (line) => resolve((JSON.parse(line) as { engine: number }).engine)),
    );
    lines.close();
    expect(alive(engine)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(engine) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const stillAlive = alive(engine);
    if (stillAlive) process.kill(engine, 'SIGKILL');
    expect(stillAlive).toBe(false);
  }, 60_000);
});
