// What a shell can ask the user through the desktop: files to add and where to save an image. The
// Electron shell implements it with native dialogs; the browser shell has none (a page cannot hand
// host paths to main, by design).
export interface Dialogs {
  /** Host paths the user chose; empty when cancelled. */
  chooseSources(opts: { directories: boolean }): Promise<string[]>;
  /** Where to write an image; undefined when cancelled. */
  chooseImageDestination(opts: { defaultName: string }): Promise<string | undefined>;
}
