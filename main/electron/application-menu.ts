import { Menu, shell, type MenuItemConstructorOptions } from 'electron';

/** Standard menus; section shortcuts (Ctrl/Cmd+1…6) are the renderer's, so they work in browser mode too. */
export function installApplicationMenu(libraryPath: string): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show Library Folder', click: () => void shell.openPath(libraryPath) },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
