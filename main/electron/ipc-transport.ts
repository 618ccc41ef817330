import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { toApiError } from '../api/api-error.js';
import { apiMethodNames } from '../../common/contract/index.js';
import { dispatchApiCall } from '../api/dispatch.js';
import type { CoreService } from '../core/core-service.js';
import { ipcCallChannel, ipcEventChannel } from './ipc-channels.js';
import { isAppUrl } from './navigation-policy.js';

/**
 * One ipcMain handler per contract method. Calls from any frame other than the app's own page are refused, and
 * every payload goes through the same validation as HTTP. Errors cross as plain objects with the error kind.
 */
export function registerIpcTransport(
  ipcMain: IpcMain,
  core: Pick<CoreService, 'handlers' | 'events'>,
  appIndexUrl: string,
  target: () => WebContents | null,
): () => void {
  for (const method of apiMethodNames) {
    ipcMain.handle(ipcCallChannel(method), async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!event.senderFrame || !isAppUrl(event.senderFrame.url, appIndexUrl)) {
        return { error: { kind: 'forbidden', message: 'Calls are only accepted from the Unisight window.' } };
      }
      try {
        return { result: await dispatchApiCall(core.handlers, method, payload) };
      } catch (error) {
        const apiError = toApiError(error);
        return { error: { kind: apiError.kind, message: apiError.message } };
      }
    });
  }
  const unsubscribe = core.events.subscribe((event) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(ipcEventChannel, event);
  });
  return () => {
    unsubscribe();
    for (const method of apiMethodNames) ipcMain.removeHandler(ipcCallChannel(method));
  };
}
