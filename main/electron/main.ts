// Desktop entry: one window, the core service in this process, the ML engine in a utilityProcess.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { createCoreService, type CoreService } from '../core/core-service.js';
import { importWorkerHeapMegabytes } from '../core/import/worker-pool.js';
import { engineEntryFile, importWorkerFile, preloadFile, rendererDirectory } from '../core/install-paths.js';
import { resolveLibraryLocation } from '../core/library/library-location.js';
import { contentSecurityPolicyHeader } from '../security/content-security-policy.js';
import { installApplicationMenu } from './application-menu.js';
import { registerIpcTransport } from './ipc-transport.js';
import { isAppUrl, isExternalWebUrl } from './navigation-policy.js';
import { utilityProcessLauncher } from './utility-process-launcher.js';
import { mainWindowOptions } from './window-options.js';

const appIndexUrl = pathToFileURL(path.join(rendererDirectory, 'index.html')).href;
const engineHeapMegabytes = Number(process.env.UNISIGHT_ENGINE_HEAP_MB) || 8192;

let mainWindow: BrowserWindow | null = null;
let core: CoreService | null = null;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadFile));
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appIndexUrl)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appIndexUrl);
  return window;
}

async function startDesktop(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicyHeader] },
    });
  });
  const library = resolveLibraryLocation({ electronUserData: app.getPath('userData') });
  core = createCoreService({
    libraryPath: library.path,
    launchEngine: utilityProcessLauncher(engineEntryFile, engineHeapMegabytes, 'Unisight ML engine'),
    launchImportWorker: utilityProcessLauncher(importWorkerFile, importWorkerHeapMegabytes, 'Unisight import worker'),
    chooseFolder: async () => {
      const options = { title: 'Choose a hospital export folder', properties: ['openDirectory' as const] };
      const choice = mainWindow
        ? await dialog.showOpenDialog(mainWindow, options)
        : await dialog.showOpenDialog(options);
      return choice.canceled ? null : (choice.filePaths[0] ?? null);
    },
  });
  registerIpcTransport(ipcMain, core, appIndexUrl, () => mainWindow?.webContents ?? null);
  void core.engine.start().catch((error: unknown) => console.error('unisight: engine failed to start:', error));
  mainWindow = createWindow();
  installApplicationMenu(library.path);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appIndexUrl)) event.preventDefault();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !core) return;
  quitting = true;
  event.preventDefault();
  void core.close().finally(() => app.quit());
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  startDesktop().catch((error: unknown) => {
    console.error('unisight: could not start:', error);
    app.exit(1);
  });
}
