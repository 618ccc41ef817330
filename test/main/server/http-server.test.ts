import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contentSecurityPolicyHeader } from '../../../main/security/content-security-policy.js';
import { startServeProcess, type ServeProcess } from '../../support/serve-process.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

// Integration: the real `unisight serve` process, its real SQLite library and engine, spoken to over HTTP/WS.
describe('server mode', () => {
  const library = temporaryLibrary();
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServeProcess(library.path, { UNISIGHT_BACKEND: 'cpu' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    library.remove();
  });

  const post = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${server.origin}${path}`, { method: 'POST', ...init });

  it('answers 401 without the token, or with a wrong one, on API, pages and assets', async () => {
    expect((await post('/api/call/app.info', { body: '{}' })).status).toBe(401);
    expect((await post('/api/call/app.info', { body: '{}', headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(`${server.origin}/`)).status).toBe(401);
    expect((await fetch(`${server.origin}/index.html`)).status).toBe(401);
    expect((await fetch(`${server.origin}/?token=${server.token.slice(1)}`)).status).toBe(401);
    const unauthorised = await post('/api/call/app.info', { body: '{}' });
    expect(await unauthorised.json()).toEqual({
      error: { kind: 'unauthorized', message: 'Missing or wrong access token.' },
    });
  });

  it('answers 200 with the token', async () => {
    const reply = await server.call<{ nodeVersion: string; library: { path: string } }>('app.info');
    expect(reply.status).toBe(200);
    expect(reply.body.result?.nodeVersion).toMatch(/^22\./);
    expect(reply.body.result?.library.path).toBe(library.path);
  });

  it('answers 400 to malformed payloads and changes nothing', async () => {
    const before = (await server.call<unknown[]>('jobs.list')).body.result!.length;
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    for (const body of [
      '{not json',
      '[1,2]',
      '"text"',
      JSON.stringify({ iterations: -1 }),
      JSON.stringify({ iterations: 3, extra: 'x' }),
    ]) {
      const response = await post('/api/call/engine.selfcheck', { body, headers });
      expect(response.status, body).toBe(400);
      expect((await response.json()) as object).toMatchObject({
        error: { kind: 'invalid-input', message: expect.any(String) },
      });
    }
    expect((await server.call<unknown[]>('jobs.list')).body.result!.length).toBe(before);
    const tooLarge = await post('/api/call/engine.selfcheck', {
      body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
      headers,
    });
    expect(tooLarge.status).toBe(400);
  });

  it('answers 404 to unknown methods and 409 to cancelling a finished job', async () => {
    expect((await server.call('does.not.exist')).status).toBe(404);
    const started = await server.call<{ id: string }>('engine.selfcheck', { iterations: 1, matrixSize: 16 });
    const jobId = started.body.result!.id;
    for (;;) {
      const job = await server.call<{ state: string }>('jobs.get', { jobId });
      if (job.body.result!.state === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await server.call('jobs.cancel', { jobId })).status).toBe(409);
    expect((await server.call('jobs.get', { jobId: 'missing' })).status).toBe(404);
  });

  it('trades the token in the address for an HttpOnly SameSite cookie and serves the renderer with the CSP', async () => {
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${server.origin}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicyHeader);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<div id="app">');
  });

  it('refuses a foreign Host header (DNS rebinding) and cross-origin calls', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/api/call/app.info',
            headers: { host: 'evil.example:80', authorization: `Bearer ${server.token}` },
          },
          (response) => resolve(response.statusCode!),
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
    const crossOrigin = await post('/api/call/app.info', {
      body: '{}',
      headers: { authorization: `Bearer ${server.token}`, origin: 'https://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
  });

  it('requires the token on the event socket and streams job events once given', async () => {
    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
      socket.on('open', () => resolve('open'));
      socket.on('error', (error) => resolve(error.message));
    });
    expect(refused).toMatch(/401/);

    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise((resolve) => socket.on('open', resolve));
    const states: string[] = [];
    const finished = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as { name: string; payload: { state?: string } };
        if (event.name !== 'job.updated') return;
        states.push(event.payload.state!);
        if (event.payload.state === 'succeeded') resolve();
      });
    });
    await server.call('engine.selfcheck', { iterations: 3, matrixSize: 16 });
    await finished;
    socket.close();
    expect(states[0]).toBe('queued');
    expect(states).toContain('running');
  });

  it('listens on the loopback address only', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && !address.internal && address.family === 'IPv4');
    const addresses = [external?.address, '::1'].filter((address): address is string => Boolean(address));
    for (const address of addresses) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: address, port: server.port });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, address).not.toBe('connected');
    }
    expect(addresses.length).toBeGreaterThan(0);
  });
});
