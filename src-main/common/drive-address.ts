// The one definition of the Windows drive address forms. The SPTI enumeration
// (native/src/spti_win.cc ListDrives) names a lettered drive "\\.\D:" and a letterless one
// "\\.\CdRomN"; a user may also type "D:". The IPC contract (ipc/contract.ts DriveAddress), the
// transport router (drive/drive-service.ts kindOfAddress) and NativeTransport all use this file, so
// what the enumeration returns is always an address the contract accepts.

/** "\\.\D:" (the SPTI enumeration's lettered form), "\\.\CdRomN", or a bare "D:". Unanchored source for composition. */
export const WINDOWS_DRIVE_ADDRESS_SOURCE = String.raw`\\\\\.\\(?:[A-Za-z]:|CdRom\d{1,3})|[A-Za-z]:`;

const WINDOWS_DRIVE_ADDRESS = new RegExp(`^(?:${WINDOWS_DRIVE_ADDRESS_SOURCE})$`);

export function isWindowsDriveAddress(address: string): boolean {
  return WINDOWS_DRIVE_ADDRESS.test(address);
}

/**
 * The form CreateFile opens: "D:" and "\\.\d:" become "\\.\D:" (a bare "D:" would name the current
 * directory of drive D, not the device); "\\.\CdRomN" is kept. Other strings are returned unchanged.
 */
export function canonicalWindowsDriveAddress(address: string): string {
  const letter = /^(?:\\\\\.\\)?([A-Za-z]):$/.exec(address);
  return letter ? `\\\\.\\${letter[1].toUpperCase()}:` : address;
}
