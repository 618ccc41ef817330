import type { ApiClient, ApiEvent, ApiMethodName } from '../../../common/contract/index.js';
import { unwrapReply, type CallReply } from './api-call-error.js';

/** What the preload exposes on window.unisight (see main/electron/preload.ts). */
export interface PreloadBridge {
  call(method: ApiMethodName, input: unknown): Promise<CallReply>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

export function createIpcClient(bridge: PreloadBridge): ApiClient {
  return {
    transport: 'ipc',
    call: async (method, input) => unwrapReply(await bridge.call(method, input)) as never,
    subscribe: (listener) => bridge.subscribe(listener),
  };
}
