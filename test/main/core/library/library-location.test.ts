import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLibraryLocation } from '../../../../main/core/library/library-location.js';

describe('resolveLibraryLocation', () => {
  const home = '/home/researcher';

  it('prefers --library over UNISIGHT_LIBRARY over the platform folder', () => {
    expect(
      resolveLibraryLocation({ flag: 'data/lib', environment: { UNISIGHT_LIBRARY: '/env/lib' }, homeDirectory: home }),
    ).toEqual({
      path: path.resolve('data/lib'),
      source: 'flag',
    });
    expect(resolveLibraryLocation({ environment: { UNISIGHT_LIBRARY: '/env/lib' }, homeDirectory: home })).toEqual({
      path: '/env/lib',
      source: 'environment',
    });
  });

  it('uses ~/.local/share/unisight on Linux, honouring XDG_DATA_HOME', () => {
    expect(resolveLibraryLocation({ environment: {}, platform: 'linux', homeDirectory: home }).path).toBe(
      '/home/researcher/.local/share/unisight',
    );
    expect(
      resolveLibraryLocation({ environment: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', homeDirectory: home }).path,
    ).toBe('/xdg/unisight');
  });

  it("uses Electron's userData folder in the desktop app", () => {
    expect(resolveLibraryLocation({ environment: {}, electronUserData: '/apps/Unisight' })).toEqual({
      path: path.join('/apps/Unisight', 'library'),
      source: 'electron-user-data',
    });
  });

  it('uses Application Support on macOS', () => {
    expect(resolveLibraryLocation({ environment: {}, platform: 'darwin', homeDirectory: home }).path).toBe(
      '/home/researcher/Library/Application Support/Unisight/library',
    );
  });
});
