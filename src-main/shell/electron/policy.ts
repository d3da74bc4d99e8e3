// The Electron shell's security policy, as plain functions over the few members of Electron's
// objects they touch, so they are unit-tested without the Electron binary (policy.test.ts).
// main.ts applies them; nothing here imports 'electron'.
//
// MUST rules:
// - Development overrides (ELECTRON_RENDERER_URL, GLASSMASTER_NATIVE_ADDON) are honoured only when
//   the app is not packaged: a packaged app always loads its own page and its own addon.
// - Every web permission request and check, every device permission (HID, serial, USB) and every
//   device picker (HID, serial, USB, Bluetooth) is refused: the renderer needs none of them; drives
//   are reached only through main's services.
// - The window never navigates away from the app page, never opens another window and never
//   attaches a <webview>; an https link is handed to the system browser, nothing else is opened.
// - One instance per user: a second launch focuses the first and quits (they would share one
//   state directory; see app/state-lock.ts for the CLI's side).
// - The packaged binary's fuses (REQUIRED_FUSES) are set in package.json build.electronFuses.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { honourDevOverrides, type Runtime } from '../../common/runtime';

export { honourDevOverrides, type Runtime };

/** The page the window loads: the built renderer, or electron-vite's dev server when not packaged. */
export function appEntryUrl(opts: { root: string; env: Record<string, string | undefined>; isPackaged: boolean }): string {
  const dev = opts.env.ELECTRON_RENDERER_URL;
  if (dev && honourDevOverrides({ isElectron: true, isPackaged: opts.isPackaged })) return dev;
  return pathToFileURL(join(opts.root, 'out', 'renderer', 'index.html')).href;
}

/** The app page itself (any fragment or query): same protocol, host and path as `entry`. */
export function isAppUrl(url: string, entry: string): boolean {
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(url);
    expected = new URL(entry);
  } catch {
    return false;
  }
  return actual.protocol === expected.protocol && actual.host === expected.host && actual.pathname === expected.pathname;
}

/** What guardSession uses of Electron's Session. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string, origin: string, details: unknown) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

interface PreventableEvent {
  preventDefault(): void;
}

/** Refuses every permission and device picker on a session (see the MUST rules above). */
export function guardSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // Without preventDefault Electron picks the first device itself; with it, the callback's empty
  // answer means "no device".
  session.on('select-hid-device', (event: PreventableEvent, _details: unknown, callback: (id?: string) => void) => {
    event.preventDefault();
    callback();
  });
  session.on('select-usb-device', (event: PreventableEvent, _details: unknown, callback: (id?: string) => void) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event: PreventableEvent, _portList: unknown, _wc: unknown, callback: (id: string) => void) => {
    event.preventDefault();
    // (event, portList, webContents, callback): the callback is the last argument.
    callback('');
  });
}

/** What guardWebContents uses of Electron's WebContents. */
export interface WebContentsLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

/** Keeps a window on the app page (see the MUST rules above). `openExternal` gets https links only. */
export function guardWebContents(wc: WebContentsLike, entry: string, openExternal: (url: string) => void): void {
  const stayInApp = (event: PreventableEvent, url: string) => {
    if (!isAppUrl(url, entry)) event.preventDefault();
  };
  // will-frame-navigate (Electron ≥ 25) also covers subframes; details carry the url.
  wc.on('will-navigate', (event: PreventableEvent & { url?: string }, url?: string) => stayInApp(event, url ?? event.url ?? ''));
  wc.on('will-redirect', (event: PreventableEvent & { url?: string }, url?: string) => stayInApp(event, url ?? event.url ?? ''));
  wc.on('will-frame-navigate', (event: PreventableEvent & { url?: string }) => stayInApp(event, event.url ?? ''));
  wc.on('will-attach-webview', (event: PreventableEvent) => event.preventDefault());
  wc.on('select-bluetooth-device', (event: PreventableEvent, _devices: unknown, callback: (id: string) => void) => {
    event.preventDefault();
    callback('');
  });
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\/[^\s]+$/.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** What claimSingleInstance uses of Electron's App. */
export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** Takes the single-instance lock; a second instance quits (false), the first focuses its window on 'second-instance'. */
export function claimSingleInstance(app: AppLike, focus: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => focus());
  return true;
}

/**
 * The fuses the packaged binary must have (@electron/fuses through electron-builder's
 * build.electronFuses): no ELECTRON_RUN_AS_NODE, no NODE_OPTIONS, no --inspect (each turns the
 * signed app into a general-purpose Node for whoever can set its environment or arguments), asar
 * integrity checked and the app loaded only from it, cookies encrypted.
 */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
} as const;
