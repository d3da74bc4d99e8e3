// The one object the preload exposes to the sandboxed renderer (window.glassmaster). It carries
// contract envelopes only: ClientMessage in, ServerMessage out — never ipcRenderer itself.
export interface GlassmasterBridge {
  /** Sends a ClientMessage ({kind:'call'|'cancel', …}); main validates it. */
  send(message: unknown): void;
  /** Receives ServerMessages (results and events). Returns an unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * The host path of a File dropped from the OS file manager (Electron's webUtils.getPathForFile),
   * '' for a File that is not on disk. The renderer passes it to project.addPaths, which main
   * validates like any other host path.
   */
  pathForFile(file: object): string;
}
