// The Electron shell: one sandboxed window, a preload with a single narrow bridge, and the same
// dispatcher the browser shell uses. Holds a power-save blocker while the services are busy
// (burning), and mirrors progress on the taskbar/dock.
import { app, BrowserWindow, dialog, ipcMain, Notification, powerSaveBlocker, session, shell as electronShell, type IpcMainEvent, type WebContents } from 'electron';
import { join } from 'node:path';
import { createServices, type Services } from '../../app/services';
import { ClientSession } from '../../ipc/dispatcher';
import { CONTENT_SECURITY_POLICY } from '../../ipc/csp';
import type { ServerMessage } from '../../common/ipc/contract';
import { packageInfo } from '../../app/package-info';
import type { Dialogs } from '../../project/dialogs';
import { setPackagedApp } from '../../transport/native/native-addon';
import { appEntryUrl, claimSingleInstance, guardSession, guardWebContents, isAppUrl } from './policy';
import { createJobGlue, wrapJobHandlers, type JobGlue } from './job-glue';

const TO_MAIN = 'glassmaster:client-message';
const FROM_MAIN = 'glassmaster:server-message';

let services: Services | undefined;
/** Taskbar/dock progress, sleep prevention and notifications of drive jobs (job-glue.ts). */
let glue: JobGlue | undefined;
const sessions = new Map<number, { session: ClientSession; unsubscribe: () => void }>();

/** The app page; ELECTRON_RENDERER_URL (electron-vite's dev server) only when not packaged (policy.ts). */
function rendererEntry(): string {
  return appEntryUrl({ root: packageInfo().root, env: process.env, isPackaged: app.isPackaged });
}

/** Only our own top-level page may talk to main. */
function isTrustedSender(event: IpcMainEvent, win: BrowserWindow): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== win.webContents.mainFrame) return false;
  return isAppUrl(frame.url, rendererEntry());
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
  /** devices.addIscsi: the question is main's own dialog, so the answer is the user's, not the page's. */
  async confirmIscsiTarget(address) {
    const options: Electron.MessageBoxOptions = {
      type: 'question',
      title: 'Add an iSCSI drive',
      message: `Connect to the iSCSI drive ${address}?`,
      detail: 'Glassmaster will open network connections to this host and port whenever it lists or uses the drive. Add it only if you asked for it.',
      buttons: ['Cancel', 'Add drive'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const win = BrowserWindow.getFocusedWindow();
    const r = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    return r.response === 1;
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
  // No navigation away from the app, no new windows, no webviews, no Bluetooth picker; https links
  // go to the system browser (policy.ts guardWebContents).
  guardWebContents(win.webContents, rendererEntry(), (url) => void electronShell.openExternal(url));
  attach(win, svc);
  void win.loadURL(rendererEntry());
  return win;
}

async function main(): Promise<void> {
  // Before anything loads the addon: a packaged app ignores GLASSMASTER_NATIVE_ADDON.
  setPackagedApp(app.isPackaged);
  // One instance per user (they would share one state directory); a second launch focuses this one.
  if (!claimSingleInstance(app, () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  })) return;
  app.enableSandbox();
  await app.whenReady();
  // Every web permission, device permission and device picker refused (policy.ts guardSession).
  guardSession(session.defaultSession);
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
