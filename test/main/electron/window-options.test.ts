import { describe, expect, it } from 'vitest';
import { isAppUrl, isExternalWebUrl } from '../../../main/electron/navigation-policy.js';
import { mainWindowOptions } from '../../../main/electron/window-options.js';

describe('desktop window security', () => {
  it('isolates and sandboxes the renderer with no Node integration anywhere', () => {
    const preferences = mainWindowOptions('/app/preload.cjs').webPreferences!;
    expect(preferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('keeps the minimum window size the layout is designed for', () => {
    expect(mainWindowOptions('/p').minWidth).toBe(1024);
    expect(mainWindowOptions('/p').minHeight).toBe(700);
  });

  it("allows navigation only to the app's own page", () => {
    const app = 'file:///opt/unisight/dist/renderer/index.html';
    expect(isAppUrl('file:///opt/unisight/dist/renderer/index.html#/runs', app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://example.org/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
  });

  it('hands only web links to the OS browser', () => {
    expect(isExternalWebUrl('https://pubmed.ncbi.nlm.nih.gov/')).toBe(true);
    expect(isExternalWebUrl('file:///etc/passwd')).toBe(false);
    expect(isExternalWebUrl('javascript:alert(1)')).toBe(false);
    expect(isExternalWebUrl('smb://share/x')).toBe(false);
  });
});
