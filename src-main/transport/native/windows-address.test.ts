// Windows drive addresses: what the SPTI enumeration (native/src/spti_win.cc ListDrives) returns
// must pass the IPC contract's DriveAddress and route to the native transport; before, '\\.\D:'
// (every lettered drive) failed the pattern and could not be used at all.
import { describe, expect, it } from 'vitest';
import { DriveAddress } from '../../common/ipc/contract';
import { canonicalWindowsDriveAddress, isWindowsDriveAddress } from '../../common/drive-address';
import { kindOfAddress } from '../../drive/drive-service';
import type { NativeAddon } from './native-addon';
import { NativeTransport } from './native-transport';

/** The entries spti_win.cc builds: "\\\\.\\" + letter + ":" when lettered, "\\\\.\\CdRom" + n when not. */
const SPTI_ENTRIES = ['\\\\.\\D:', '\\\\.\\E:', '\\\\.\\z:', '\\\\.\\CdRom0', '\\\\.\\CdRom12'];

function sptiAddon(): NativeAddon {
  return {
    info: () => ({ platform: 'win32', backend: 'spti', napiVersion: 8 }),
    list: async () => SPTI_ENTRIES.map((path) => ({ path, blockNode: '', sgNode: '', vendor: 'HL-DT-ST', model: 'DVDRAM GH24NSD1', revision: 'LG00', busAddress: '' })),
    open: async () => 1,
    close: () => true,
    execute: async () => ({ status: 0, hostStatus: 0, driverStatus: 0, sense: new Uint8Array(), data: Uint8Array.of(5), residual: 0, durationMs: 0 }),
  };
}

describe('Windows drive addresses: enumeration, contract and routing agree', () => {
  it('every address the SPTI enumeration returns passes DriveAddress and routes to native', async () => {
    const listed = await new NativeTransport(sptiAddon()).list();
    expect(listed.map((d) => d.address)).toEqual(SPTI_ENTRIES);
    for (const d of listed) {
      expect(DriveAddress.safeParse(d.address).success, d.address).toBe(true);
      expect(kindOfAddress(d.address)).toBe('native');
      expect(isWindowsDriveAddress(d.address)).toBe(true);
    }
  });

  it('a typed letter D: is the same drive as \\\\.\\D:', () => {
    expect(DriveAddress.safeParse('D:').success).toBe(true);
    expect(canonicalWindowsDriveAddress('d:')).toBe('\\\\.\\D:');
    expect(canonicalWindowsDriveAddress('\\\\.\\e:')).toBe('\\\\.\\E:');
    expect(canonicalWindowsDriveAddress('\\\\.\\CdRom3')).toBe('\\\\.\\CdRom3');
  });

  it('NativeTransport opens a typed D: as the device \\\\.\\D:', async () => {
    const opened: string[] = [];
    const addon = sptiAddon();
    addon.open = async (p) => (opened.push(p), 1);
    const dev = await new NativeTransport(addon).open('d:');
    await dev.close();
    expect(opened).toEqual(['\\\\.\\D:']);
  });

  it('other device namespaces are not drive addresses', () => {
    for (const bad of ['\\\\.\\PhysicalDrive0', '\\\\.\\C:\\Windows', '\\\\?\\D:', '\\\\.\\D', '\\\\.\\CdRom', '\\\\.\\CdRom1234', '\\\\.\\pipe\\x', 'DD:', '\\\\.\\D:x']) {
      expect(DriveAddress.safeParse(bad).success, bad).toBe(false);
      expect(isWindowsDriveAddress(bad), bad).toBe(false);
      expect(() => kindOfAddress(bad), bad).toThrow();
    }
  });
});
