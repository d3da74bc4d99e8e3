// Where this process runs, and what that allows. Shared by the Electron shell (renderer URL) and
// the native addon loader (addon path), which must agree: development overrides from the
// environment are honoured outside packaged Electron builds only.

export interface Runtime {
  /** Running inside Electron (process.versions.electron). */
  isElectron: boolean;
  /** Electron's app.isPackaged: the app runs from an installed bundle, not `electron .`. */
  isPackaged: boolean;
}

/**
 * Environment overrides meant for development (ELECTRON_RENDERER_URL, GLASSMASTER_NATIVE_ADDON)
 * are honoured outside packaged Electron builds only: in a packaged app they would point a
 * privileged window at any page or load any .node for whoever sets the environment.
 */
export function honourDevOverrides(runtime: Runtime): boolean {
  return !(runtime.isElectron && runtime.isPackaged);
}
