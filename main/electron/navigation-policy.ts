// The window only ever shows the app's own files. Anything else is either opened in the OS browser (http/https
// links a report might contain) or refused.

export function isAppUrl(url: string, appIndexUrl: string): boolean {
  try {
    const target = new URL(url);
    const app = new URL(appIndexUrl);
    return target.protocol === app.protocol && target.host === app.host && target.pathname === app.pathname;
  } catch {
    return false;
  }
}

export function isExternalWebUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
