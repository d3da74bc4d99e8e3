// Sandboxed preload: exposes exactly window.glassmaster = { send, onMessage, pathForFile } over two
// fixed channels (pathForFile only reads a dropped File's path; it sends nothing). Everything sent is validated again in main (ipc/dispatcher.ts).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
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
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
    } catch {
      return '';
    }
  },
};

contextBridge.exposeInMainWorld('glassmaster', bridge);
