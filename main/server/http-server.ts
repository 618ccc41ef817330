import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, httpStatusOfErrorKind, toApiError } from '../api/api-error.js';
import { dispatchApiCall } from '../api/dispatch.js';
import type { CoreService } from '../core/core-service.js';
import { contentSecurityPolicyHeader } from '../security/content-security-policy.js';
import { accessTokenCookie, createAccessToken, presentedToken, tokensMatch } from './access-token.js';
import { serveStaticFile } from './static-files.js';

/** Server mode never listens beyond this machine. */
export const loopbackHost = '127.0.0.1';
const maximumBodyBytes = 1024 * 1024;
const callPrefix = '/api/call/';
const eventsPath = '/api/events';

export interface ServerOptions {
  core: Pick<CoreService, 'handlers' | 'events'>;
  rendererDirectory: string;
  port: number;
  token?: string;
}

export interface RunningServer {
  port: number;
  origin: string;
  token: string;
  /** The address to open: it carries the per-launch token. */
  url: string;
  close(): Promise<void>;
}

const securityHeaders = {
  'content-security-policy': contentSecurityPolicyHeader,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? createAccessToken();
  let port = options.port;
  const allowedHosts = (): Set<string> => new Set([`${loopbackHost}:${port}`, `localhost:${port}`]);
  const origins = (): Set<string> => new Set([...allowedHosts()].map((host) => `http://${host}`));

  const sockets = new Set<WebSocket>();
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const unsubscribe = options.core.events.subscribe((event) => {
    const message = JSON.stringify(event);
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(message);
  });

  const server = http.createServer((request, response) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    handleRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { kind: 'internal', message: String(error) } });
      else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A foreign Host header means DNS rebinding: a web page pretending to be us. Refuse before anything else.
    if (!allowedHosts().has(request.headers.host ?? '')) {
      sendJson(response, 403, { error: { kind: 'forbidden', message: 'Unexpected Host header.' } });
      return;
    }
    const url = new URL(request.url ?? '/', `http://${loopbackHost}:${port}`);
    const presented = presentedToken(request, url);
    if (!tokensMatch(token, presented.token)) {
      if (url.pathname.startsWith('/api/')) {
        sendJson(response, 401, { error: { kind: 'unauthorized', message: 'Missing or wrong access token.' } });
      } else {
        response
          .writeHead(401, { 'content-type': 'text/plain; charset=utf-8' })
          .end(
            'Unisight needs its access token. Open the full address that `unisight serve` printed (it ends in ?token=...).',
          );
      }
      return;
    }
    if (request.headers.origin && !origins().has(request.headers.origin)) {
      sendJson(response, 403, { error: { kind: 'forbidden', message: 'Cross-origin requests are not allowed.' } });
      return;
    }
    if (url.pathname.startsWith(callPrefix)) {
      await handleCall(request, response, url.pathname.slice(callPrefix.length));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      sendJson(response, 404, { error: { kind: 'unknown-method', message: `No API route ${url.pathname}.` } });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (presented.via === 'query') {
      // Trade the token in the address for a same-site cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      response
        .writeHead(303, {
          'set-cookie': `${accessTokenCookie}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          location: `${url.pathname}${url.search}`,
        })
        .end();
      return;
    }
    serveStaticFile(options.rendererDirectory, url.pathname, response);
  }

  async function handleCall(request: IncomingMessage, response: ServerResponse, method: string): Promise<void> {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    try {
      const body = await readJsonBody(request);
      const result = await dispatchApiCall(options.core.handlers, method, body);
      sendJson(response, 200, { result });
    } catch (error) {
      const apiError = toApiError(error);
      sendJson(response, httpStatusOfErrorKind[apiError.kind], {
        error: { kind: apiError.kind, message: apiError.message },
      });
    }
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', `http://${loopbackHost}:${port}`);
    const origin = request.headers.origin;
    const refused =
      url.pathname !== eventsPath ||
      !allowedHosts().has(request.headers.host ?? '') ||
      (origin !== undefined && !origins().has(origin)) ||
      !tokensMatch(token, presentedToken(request, url).token);
    if (refused) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      sockets.add(webSocket);
      webSocket.on('close', () => sockets.delete(webSocket));
      webSocket.on('error', () => sockets.delete(webSocket));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, loopbackHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${loopbackHost}:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    close: async () => {
      unsubscribe();
      for (const socket of sockets) socket.terminate();
      webSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maximumBodyBytes)
      throw new ApiError('invalid-input', `Request body is larger than ${maximumBodyBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid-input', 'Request body is not valid JSON.');
  }
}
