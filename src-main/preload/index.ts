// Sandboxed preload: exposes exactly window.glassmaster = { send, onMessage } over two fixed
// channels. Everything sent is validated again in main (ipc/dispatcher.ts).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { GlassmasterBridge } from './api';

const TO_MAIN = 'glassmaster:client-message';
const FROM_MAIN = 'glassmaster:server-message';

const bridge: GlassmasterBridge = {
  send(message) {
    ipcRenderer.send(TO_MAIN, message);
  },
  onMessage(listener) {
    const handler = (_e: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(FROM_MAIN, handler);
    return () => ipcRenderer.removeListener(FROM_MAIN, handler);
  },
};

contextBridge.exposeInMainWorld('glassmaster', bridge);
