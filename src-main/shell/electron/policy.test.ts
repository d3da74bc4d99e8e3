// The Electron shell's security policy as plain functions over electron-like objects (the binary
// cannot be installed here). The attacks: ELECTRON_RENDERER_URL pointing the privileged window at a
// remote page and GLASSMASTER_NATIVE_ADDON loading any .node in a packaged build; web permissions
// and device pickers (HID, serial, USB, Bluetooth) granted by default; navigation and window.open
// leaving the app; two instances sharing one state directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonCandidates } from '../../transport/native/native-addon';
import { appEntryUrl, claimSingleInstance, guardSession, guardWebContents, honourDevOverrides, isAppUrl, REQUIRED_FUSES } from './policy';

type Listener = (...args: any[]) => unknown;
function emitter() {
  const listeners = new Map<string, Listener[]>();
  return {
    listeners,
    on(event: string, fn: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn]);
      return this;
    },
    emit(event: string, ...args: unknown[]) {
      for (const fn of listeners.get(event) ?? []) fn(...args);
    },
  };
}

const ROOT = '/opt/Glassmaster/resources/app.asar';
const ENTRY = 'file:///opt/Glassmaster/resources/app.asar/out/renderer/index.html';

describe('development overrides only when not packaged', () => {
  it('honourDevOverrides: plain Node and unpackaged Electron yes, packaged Electron no', () => {
    expect(honourDevOverrides({ isElectron: false, isPackaged: false })).toBe(true);
    expect(honourDevOverrides({ isElectron: true, isPackaged: false })).toBe(true);
    expect(honourDevOverrides({ isElectron: true, isPackaged: true })).toBe(false);
  });

  it('ELECTRON_RENDERER_URL is ignored in a packaged app', () => {
    const env = { ELECTRON_RENDERER_URL: 'https://evil.example/' };
    expect(appEntryUrl({ root: ROOT, env, isPackaged: true })).toBe(ENTRY);
    expect(appEntryUrl({ root: ROOT, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, isPackaged: false })).toBe('http://localhost:5173/');
    expect(appEntryUrl({ root: ROOT, env: {}, isPackaged: false })).toBe(ENTRY);
  });

  it('GLASSMASTER_NATIVE_ADDON is ignored in a packaged app', () => {
    const prev = process.env.GLASSMASTER_NATIVE_ADDON;
    process.env.GLASSMASTER_NATIVE_ADDON = '/tmp/evil.node';
    try {
      expect(addonCandidates(undefined, { isElectron: true, isPackaged: true })).not.toContain('/tmp/evil.node');
      expect(addonCandidates(undefined, { isElectron: true, isPackaged: false })[0]).toBe('/tmp/evil.node');
      expect(addonCandidates(undefined, { isElectron: false, isPackaged: false })[0]).toBe('/tmp/evil.node');
    } finally {
      if (prev === undefined) delete process.env.GLASSMASTER_NATIVE_ADDON;
      else process.env.GLASSMASTER_NATIVE_ADDON = prev;
    }
  });
});

describe('isAppUrl', () => {
  it('only the app page itself', () => {
    expect(isAppUrl(ENTRY, ENTRY)).toBe(true);
    expect(isAppUrl(`${ENTRY}#/burn`, ENTRY)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', ENTRY)).toBe(false);
    expect(isAppUrl('https://evil.example/', ENTRY)).toBe(false);
    expect(isAppUrl('not a url', ENTRY)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(false);
  });
});

describe('guardSession: every permission and device picker denied', () => {
  function fakeSession() {
    const s = {
      ...emitter(),
      request: undefined as undefined | Listener,
      check: undefined as undefined | Listener,
      device: undefined as undefined | Listener,
      setPermissionRequestHandler(fn: Listener) {
        s.request = fn;
      },
      setPermissionCheckHandler(fn: Listener) {
        s.check = fn;
      },
      setDevicePermissionHandler(fn: Listener) {
        s.device = fn;
      },
    };
    return s;
  }

  it('permission requests, checks and device permissions are refused', () => {
    const s = fakeSession();
    guardSession(s);
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb', 'fileSystem', 'openExternal']) {
      let granted: boolean | undefined;
      s.request!({}, perm, (ok: boolean) => (granted = ok), { requestingUrl: ENTRY });
      expect(granted, perm).toBe(false);
      expect(s.check!({}, perm, ENTRY, {}), perm).toBe(false);
    }
    expect(s.device!({ deviceType: 'usb', origin: 'file://', device: {} })).toBe(false);
  });

  it('HID, serial and USB pickers choose nothing', () => {
    const s = fakeSession();
    guardSession(s);
    for (const ev of ['select-hid-device', 'select-serial-port', 'select-usb-device']) {
      let prevented = false;
      let chosen: unknown = 'unset';
      const event = { preventDefault: () => (prevented = true) };
      const choose = (id?: string) => (chosen = id);
      // select-serial-port is (event, portList, webContents, callback); the others (event, details, callback).
      if (ev === 'select-serial-port') s.emit(ev, event, [{ portId: 'y' }], {}, choose);
      else s.emit(ev, event, { deviceList: [{ deviceId: 'x' }] }, choose);
      expect(prevented, ev).toBe(true);
      expect(chosen === undefined || chosen === '', ev).toBe(true);
    }
  });
});

describe('guardWebContents: no navigation, no windows, no webviews, no Bluetooth', () => {
  function fakeContents() {
    const wc = {
      ...emitter(),
      openHandler: undefined as undefined | ((d: { url: string }) => { action: string }),
      setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
        wc.openHandler = fn;
      },
    };
    return wc;
  }

  it('navigation to anything but the app is prevented; the app itself is allowed', () => {
    const wc = fakeContents();
    const opened: string[] = [];
    guardWebContents(wc, ENTRY, (u) => opened.push(u));
    for (const ev of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      for (const [url, blocked] of [['https://evil.example/', true], ['file:///etc/passwd', true], [ENTRY, false]] as const) {
        let prevented = false;
        const e = { preventDefault: () => (prevented = true), url };
        wc.emit(ev, e, url);
        expect(prevented, `${ev} ${url}`).toBe(blocked);
      }
    }
    expect(opened).toEqual([]);
  });

  it('window.open is always denied; https links go to the system browser, nothing else does', () => {
    const wc = fakeContents();
    const opened: string[] = [];
    guardWebContents(wc, ENTRY, (u) => opened.push(u));
    expect(wc.openHandler!({ url: 'https://glassmaster.org/help' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: ENTRY })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://glassmaster.org/help']);
  });

  it('webview attachment and Bluetooth device selection are refused', () => {
    const wc = fakeContents();
    guardWebContents(wc, ENTRY, () => undefined);
    let prevented = false;
    wc.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
    prevented = false;
    let chosen: unknown = 'unset';
    wc.emit('select-bluetooth-device', { preventDefault: () => (prevented = true) }, [{ deviceId: 'b' }], (id: string) => (chosen = id));
    expect(prevented).toBe(true);
    expect(chosen).toBe('');
  });
});

describe('single instance', () => {
  it('a second instance quits; the first focuses its window', () => {
    const quit: string[] = [];
    const first = { ...emitter(), requestSingleInstanceLock: () => true, quit: () => quit.push('first') };
    let focused = 0;
    expect(claimSingleInstance(first, () => focused++)).toBe(true);
    first.emit('second-instance', {}, ['glassmaster'], '/');
    expect(focused).toBe(1);
    const second = { ...emitter(), requestSingleInstanceLock: () => false, quit: () => quit.push('second') };
    expect(claimSingleInstance(second, () => focused++)).toBe(false);
    expect(quit).toEqual(['second']);
  });
});

describe('Electron fuses in the electron-builder config', () => {
  it('package.json build.electronFuses sets every required fuse', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { build: { electronFuses?: Record<string, boolean> } };
    expect(REQUIRED_FUSES).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(pkg.build.electronFuses).toMatchObject(REQUIRED_FUSES);
  });
});
