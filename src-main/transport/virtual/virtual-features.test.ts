// GET CONFIGURATION of the virtual drive: which features are current for each medium follows the
// per-profile feature sets of MMC-6 §5.4 (e.g. CD TAO/Mastering only for writable CDs, Random
// Writable only once a rewritable disc is formatted, write features gone once a disc is complete).
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA_TYPE_NAMES, type MediaTypeName } from '../../common/model/drive';
import { buildGetConfiguration, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildFormatUnit } from '../../mmc/commands/format-unit';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import type { ScsiDevice } from '../transport';
import { virtualFixture, type VirtualFixture } from './testing';
import { blocks, ok } from './test-util';

let f: VirtualFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const current = async (d: ScsiDevice) => {
  const c = parseGetConfiguration(await ok(d, buildGetConfiguration({ rt: 'current', allocationLength: 4096 })));
  return [...c.features.keys()].map((k) => k.toString(16).padStart(4, '0'));
};

// Always current: Profile List, Core, Morphing, Removable Medium, Random Readable (with a disc),
// Power Management, Timeout, Real Time Streaming.
const BASE = ['0000', '0001', '0002', '0003', '0010', '0100', '0105', '0107'];
const EXPECTED: Record<MediaTypeName, string[]> = {
  'cd-r': ['001d', '001e', '0021', '002d', '002e'], // Multi-Read, CD Read, Incremental, TAO, Mastering
  'cd-rw': ['001d', '001e', '0021', '002d', '002e'],
  'dvd-r': ['001f', '0021', '002f'], // DVD Read, Incremental, DVD-R/-RW Write
  'dvd-rw': ['001f', '0021', '0023', '002f'], // + Formattable
  'dvd+r': ['001f', '002b'],
  'dvd+rw': ['001f', '0023', '002a'], // Random Writable (0020h) only once formatted
  'dvd+r-dl': ['001f', '003b'],
  'dvd-r-dl': ['001f', '0021', '002f'],
  'dvd-ram': ['001f', '0020', '0023', '0024'], // + Hardware Defect Management
  'bd-r': ['0021', '0023', '0040', '0041'],
  'bd-re': ['0023', '0024', '0040', '0041'],
};

describe('GET CONFIGURATION current features per medium', () => {
  it.each(MEDIA_TYPE_NAMES)('%s', async (media) => {
    f = await virtualFixture(media);
    expect(await current(f.device)).toEqual([...BASE, ...EXPECTED[media]].sort());
  });

  it('no disc: only the persistent features and Real Time Streaming; profile 0', async () => {
    f = await virtualFixture(null);
    expect(await current(f.device)).toEqual(['0000', '0001', '0002', '0003', '0100', '0105', '0107']);
  });

  it('formatting a DVD+RW makes Random Writable current; finalizing a DVD-R drops the write features', async () => {
    f = await virtualFixture('dvd+rw');
    await ok(f.device, buildFormatUnit({ formatType: 0x26, blocks: 0 }));
    expect(await current(f.device)).toContain('0020');
    await f.cleanup();
    f = await virtualFixture('dvd-r');
    await ok(f.device, buildWrite10(0, 16, blocks(16, 1)));
    await ok(f.device, buildCloseTrackSession(2)); // multi-session 00b by default: closes the disc
    const cur = await current(f.device);
    expect(cur).not.toContain('0021');
    expect(cur).not.toContain('002f');
  });
});
