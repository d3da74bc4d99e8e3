// The Electron shell: one sandboxed window, a preload with a single narrow bridge, and the same
// dispatcher the browser shell uses. Holds a power-save blocker while the services are busy
// (burning), and mirrors progress on the taskbar/dock.
import { app, BrowserWindow, dialog, ipcMain, Notification, powerSaveBlocker, session, shell as electronShell, type IpcMainEvent, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServices, type Services } from '../../app/services';
import { ClientSession } from '../../ipc/dispatcher';
import { CONTENT_SECURITY_POLICY } from '../../ipc/csp';
import type { ServerMessage } from '../../common/ipc/contract';
import { packageInfo } from '../../app/package-info';
import type { Dialogs } from '../../project/dialogs';
import { createJobGlue, wrapJobHandlers, type JobGlue } from './job-glue';

const TO_MAIN = 'glassmaster:client-message';
const FROM_MAIN = 'glassmaster:server-message';

let services: Services | undefined;
/** Taskbar/dock progress, sleep prevention and notifications of drive jobs (job-glue.ts). */
let glue: JobGlue | undefined;
const sessions = new Map<number, { session: ClientSession; unsubscribe: () => void }>();

function rendererEntry(): string {
  if (process.env.ELECTRON_RENDERER_URL) return process.env.ELECTRON_RENDERER_URL;
  return pathToFileURL(join(packageInfo().root, 'out', 'renderer', 'index.html')).href;
}

/** Only our own top-level page may talk to main. */
function isTrustedSender(event: IpcMainEvent, win: BrowserWindow): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== win.webContents.mainFrame) return false;
  const expected = new URL(rendererEntry());
  const actual = new URL(frame.url);
  return actual.protocol === expected.protocol && actual.host === expected.host && actual.pathname === expected.pathname;
}

function attach(win: BrowserWindow, svc: Services): void {
  const wc: WebContents = win.webContents;
  const send = (msg: ServerMessage) => {
    if (!wc.isDestroyed()) wc.send(FROM_MAIN, msg);
  };
  const session = new ClientSession(glue ? wrapJobHandlers(svc.handlers, glue) : svc.handlers, send, { warn: (m) => console.warn(`[glassmaster] ${m}`) });
  const unsubscribe = svc.hub.subscribe((event, payload) => send({ kind: 'event', event, payload }));
  sessions.set(wc.id, { session, unsubscribe });
  wc.on('destroyed', () => {
    session.close();
    unsubscribe();
    sessions.delete(wc.id);
  });
}

/** Native dialogs: the only way host paths enter a project from the UI. */
const dialogs: Dialogs = {
  async chooseSources({ directories }) {
    const options: Electron.OpenDialogOptions = {
      title: directories ? 'Add folders to the disc' : 'Add files to the disc',
      properties: [directories ? 'openDirectory' : 'openFile', 'multiSelections'],
    };
    const win = BrowserWindow.getFocusedWindow();
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  },
  async chooseImageDestination({ defaultName }) {
    const options: Electron.SaveDialogOptions = { title: 'Save disc image', defaultPath: defaultName, filters: [{ name: 'Disc image', extensions: ['iso'] }] };
    const win = BrowserWindow.getFocusedWindow();
    const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? undefined : r.filePath;
  },
};

function createWindow(svc: Services): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 760,
    minHeight: 480,
    title: 'Glassmaster',
    show: false,
    webPreferences: {
      preload: join(packageInfo().root, 'out', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // No navigation away from the app, no new windows; external links go to the system browser.
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== win.webContents.getURL()) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void electronShell.openExternal(url);
    return { action: 'deny' };
  });
  attach(win, svc);
  void win.loadURL(rendererEntry());
  return win;
}

async function main(): Promise<void> {
  app.enableSandbox();
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  services = await createServices({ shell: 'electron', dialogs });
  // Drive jobs (burn, copy, erase, read, verify …) from the same events the renderer sees.
  glue = createJobGlue({
    powerSaveBlocker,
    setProgress: (value) => {
      for (const w of BrowserWindow.getAllWindows()) w.setProgressBar(value);
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
  });
  const jobs = glue;
  services.hub.subscribe((event, payload) => jobs.onEvent(event, payload));
  // Writing an image file holds no drive: the services' busy state (with its fraction) counts too.
  services.onBusyChange((busy, progress) => jobs.hostWork(busy, progress));
  ipcMain.on(TO_MAIN, (event, message: unknown) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    const entry = sessions.get(event.sender.id);
    if (!win || !entry || !isTrustedSender(event, win)) {
      console.warn('[glassmaster] ignored IPC from an untrusted frame');
      return;
    }
    void entry.session.receive(message);
  });
  createWindow(services);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && services) createWindow(services);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  glue?.dispose();
  void services?.close();
});

void main().catch((err) => {
  console.error(err);
  app.exit(1);
});
