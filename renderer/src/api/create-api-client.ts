import type { ApiClient } from '../../../common/contract/index.js';
import { createHttpClient } from './http-client.js';
import { createIpcClient, type PreloadBridge } from './ipc-client.js';

/** The preload's bridge means Electron; without it the page was served by `unisight serve`. */
export function createApiClient(onConnectionChange: (connected: boolean) => void): ApiClient {
  const bridge = (window as unknown as { unisight?: PreloadBridge }).unisight;
  if (bridge) {
    onConnectionChange(true);
    return createIpcClient(bridge);
  }
  return createHttpClient(onConnectionChange);
}
