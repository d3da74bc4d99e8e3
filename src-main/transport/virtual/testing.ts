// Helpers for tests that need a throw-away virtual drive.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaTypeName } from '../../common/model/drive';
import type { ScsiDevice } from '../transport';
import { VirtualTransport, type InsertOptions } from './virtual-transport';

export interface VirtualFixture {
  transport: VirtualTransport;
  name: string;
  address: string;
  device: ScsiDevice;
  stateDir: string;
  cleanup(): Promise<void>;
}

export async function virtualFixture(media: MediaTypeName | null, opts: InsertOptions & { name?: string } = {}): Promise<VirtualFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gm-virtual-'));
  const transport = new VirtualTransport({ stateDir, defaultTimeoutMs: 5000 });
  const name = opts.name ?? 'test';
  const address = await transport.create(name, { media, ...opts });
  // Tests start from a settled drive: consume the insert's unit attention unless asked not to.
  transport.recorder(name).clearUnitAttention();
  const device = await transport.open(address);
  return {
    transport, name, address, device, stateDir,
    async cleanup() {
      await device.close().catch(() => undefined);
      await transport.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
