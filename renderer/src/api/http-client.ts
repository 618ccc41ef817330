import type { ApiClient, ApiEvent } from '../../../common/contract/index.js';
import { ApiCallError, unwrapReply, type CallReply } from './api-call-error.js';

const reconnectDelays = [250, 500, 1000, 2000, 5000];

/**
 * Browser mode: calls are POSTs to /api/call/<method>, events arrive over one WebSocket. The access token travels
 * in the HttpOnly cookie the server set on first visit, so this code never sees it.
 */
export function createHttpClient(onConnectionChange: (connected: boolean) => void): ApiClient {
  const listeners = new Set<(event: ApiEvent) => void>();
  let attempt = 0;

  const connect = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/events`);
    socket.addEventListener('open', () => {
      attempt = 0;
      onConnectionChange(true);
    });
    socket.addEventListener('message', (message) => {
      const event = JSON.parse(String(message.data)) as ApiEvent;
      for (const listener of listeners) listener(event);
    });
    socket.addEventListener('close', () => {
      onConnectionChange(false);
      const delay = reconnectDelays[Math.min(attempt, reconnectDelays.length - 1)];
      attempt += 1;
      setTimeout(connect, delay);
    });
  };
  connect();

  return {
    transport: 'http',
    call: async (method, input) => {
      let response: Response;
      try {
        response = await fetch(`/api/call/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify(input ?? {}),
        });
      } catch (error) {
        throw new ApiCallError('unreachable', `Unisight server is not reachable (${(error as Error).message}).`);
      }
      if (response.status === 401)
        throw new ApiCallError(
          'unauthorized',
          'The access token is missing or expired: open the address that `unisight serve` printed.',
        );
      return unwrapReply((await response.json()) as CallReply) as never;
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
