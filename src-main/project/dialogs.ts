// What a shell can ask the user through the desktop: files to add and where to save an image. The
// Electron shell implements it with native dialogs; the browser shell has none (a page cannot hand
// host paths to main, by design).
export interface Dialogs {
  /** Host paths the user chose; empty when cancelled. */
  chooseSources(opts: { directories: boolean }): Promise<string[]>;
  /** Where to write an image; undefined when cancelled. */
  chooseImageDestination(opts: { defaultName: string }): Promise<string | undefined>;
  /**
   * Asks the user whether main may connect to this iSCSI drive (devices.addIscsi). Only a shell
   * whose question comes from the host itself implements it (Electron: a native dialog in main);
   * a page in a browser cannot answer for the user.
   */
  confirmIscsiTarget?(address: string): Promise<boolean>;
}
