// The virtual drive's mechanics: tray and lock (START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL), media events (GESN §6.7),
// unit attention after a disc change (SPC-4 unit attention condition), write protect, persistence, fault injection,
// timeouts and the transport's open/close rules.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, InvalidInputError, NotFoundError, TransportError } from '../../common/errors';
import { buildTestUnitReady } from '../../mmc/commands/test-unit-ready';
import { buildEject, buildLoad } from '../../mmc/commands/start-stop-unit';
import { buildPreventAllowMediumRemoval } from '../../mmc/commands/prevent-allow-medium-removal';
import { buildGetEventStatusNotification, parseGetEventStatusNotification } from '../../mmc/commands/get-event-status-notification';
import { buildMechanismStatus, parseMechanismStatus } from '../../mmc/commands/mechanism-status';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildRead10 } from '../../mmc/commands/read';
import { buildReadTrackInformation, parseReadTrackInformation } from '../../mmc/commands/read-track-information';
import { buildGetConfiguration, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildRequestSense, parseRequestSense } from '../../mmc/commands/request-sense';
import { buildModeSense10, parseCapabilitiesPage, parseModeSense10 } from '../../mmc/commands/mode-sense';
import { buildGetPerformance, parseWriteSpeeds } from '../../mmc/commands/get-performance';
import { buildSetCdSpeed } from '../../mmc/commands/set-cd-speed';
import { buildReadBufferCapacity, parseReadBufferCapacity } from '../../mmc/commands/read-buffer-capacity';
import { buildSendOpcInformation } from '../../mmc/commands/send-opc-information';
import { virtualFixture, type VirtualFixture } from './testing';
import { VirtualTransport } from './virtual-transport';
import { blocks, check, ok, send } from './test-util';

let f: VirtualFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const gesn = async (f: VirtualFixture) => parseGetEventStatusNotification(await ok(f.device, buildGetEventStatusNotification())).media!;

describe('tray, lock and media events', () => {
  it('eject opens the tray (02/3A/02), load closes it; GESN reports removal then new media once', async () => {
    f = await virtualFixture('dvd+r');
    const d = f.device;
    expect(await gesn(f)).toEqual({ event: 'new-media', present: true, trayOpen: false });
    expect((await gesn(f)).event).toBe('none'); // events are reported once
    await ok(d, buildEject());
    expect(parseMechanismStatus(await ok(d, buildMechanismStatus())).doorOpen).toBe(true);
    await check(d, buildTestUnitReady(), [2, 0x3a, 0x02]);
    expect(await gesn(f)).toEqual({ event: 'media-removal', present: false, trayOpen: true });
    expect(parseGetConfiguration(await ok(d, buildGetConfiguration({ allocationLength: 64 }))).currentProfile).toBe(0);
    await ok(d, buildLoad());
    await ok(d, buildTestUnitReady());
    expect(await gesn(f)).toEqual({ event: 'new-media', present: true, trayOpen: false });
  });

  it('PREVENT MEDIUM REMOVAL makes eject fail with 05/53/02 until ALLOW; mode page 2Ah shows the lock', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildPreventAllowMediumRemoval(true));
    const page = parseModeSense10(await ok(d, buildModeSense10(0x2a))).pages[0];
    expect(parseCapabilitiesPage(page.bytes)).toMatchObject({ locked: true, lockSupported: true, eject: true });
    await check(d, buildEject(), [5, 0x53, 0x02]);
    await ok(d, buildPreventAllowMediumRemoval(false));
    await ok(d, buildEject());
  });

  it('a disc swap by the user raises UNIT ATTENTION 28/00 once, then the new disc is visible', async () => {
    f = await virtualFixture('dvd+r');
    await f.transport.insert(f.name, 'bd-re');
    await check(f.device, buildTestUnitReady(), [6, 0x28, 0x00]);
    await ok(f.device, buildTestUnitReady());
    expect(parseGetConfiguration(await ok(f.device, buildGetConfiguration({ allocationLength: 64 }))).currentProfile).toBe(0x43);
    await f.transport.eject(f.name, { discard: true });
    await check(f.device, buildTestUnitReady(), [2, 0x3a, 0x01]); // tray closed, no disc
    expect(parseRequestSense(await ok(f.device, buildRequestSense())).text).toBe('no disc in drive (tray closed)');
    expect(existsSync(f.transport.backingFile(f.name))).toBe(false);
  });

  it('the user\'s eject keeps the burned disc on the open tray; load brings it back with its data', async () => {
    f = await virtualFixture('dvd+r');
    await ok(f.device, buildWrite10(0, 16, blocks(16, 3)));
    f.transport.recorder(f.name).state.locked = true;
    await f.transport.eject(f.name); // the user's hands ignore the host's lock
    await check(f.device, buildTestUnitReady(), [2, 0x3a, 0x02]);
    expect((await gesn(f)).event).toBe('media-removal');
    expect(f.transport.info(f.name)).toMatchObject({ media: 'dvd+r', trayOpen: true, locked: false });
    expect(readFileSync(f.transport.backingFile(f.name)).length).toBe(16 * 2048);
    await f.transport.load(f.name);
    await check(f.device, buildTestUnitReady(), [6, 0x28, 0x00]);
    expect(Buffer.compare(await ok(f.device, buildRead10(0, 16)), Buffer.from(blocks(16, 3)))).toBe(0);
  });

  it('becoming ready (02/04/01) for the configured number of commands after an insert', async () => {
    f = await virtualFixture(null);
    await f.transport.insert(f.name, 'dvd-r', { notReadyCommands: 2 });
    await check(f.device, buildTestUnitReady(), [6, 0x28, 0x00]);
    await check(f.device, buildTestUnitReady(), [2, 0x04, 0x01]);
    await check(f.device, buildTestUnitReady(), [2, 0x04, 0x01]);
    await ok(f.device, buildTestUnitReady());
  });

  it('write-protected disc: WRITE and OPC fail with DATA PROTECT 07/27/00; reads still work', async () => {
    f = await virtualFixture('dvd+r', { writeProtected: true });
    await check(f.device, buildWrite10(0, 16, blocks(16, 1)), [7, 0x27, 0x00]);
    await check(f.device, buildSendOpcInformation(), [7, 0x27, 0x00]);
    f.transport.setWriteProtected(f.name, false);
    await ok(f.device, buildWrite10(0, 16, blocks(16, 1)));
    await ok(f.device, buildRead10(0, 16));
  });
});

describe('identification', () => {
  it('INQUIRY VPD pages 00h/80h/83h (SPC-4 VPD parameters) carry a per-drive serial number', async () => {
    f = await virtualFixture(null, { name: 'burner-1' });
    const vpd = async (page: number) => ok(f!.device, { cdb: Uint8Array.of(0x12, 1, page, 0, 255, 0), direction: 'in', length: 255 });
    expect([...(await vpd(0x00)).subarray(4)]).toEqual([0x00, 0x80, 0x83]);
    expect((await vpd(0x80)).subarray(4).toString('ascii')).toBe('VR-burner-1');
    expect((await vpd(0x83)).subarray(8).toString('ascii')).toBe('GLASSMSTVR-burner-1');
    await check(f.device, { cdb: Uint8Array.of(0x12, 1, 0xb0, 0, 255, 0), direction: 'in', length: 255 }, [5, 0x24, 0x00]);
  });
});

describe('speeds and buffer', () => {
  it('GET PERFORMANCE type 03h lists the medium\'s write speeds; SET CD SPEED selects one', async () => {
    f = await virtualFixture('bd-r');
    const sp = parseWriteSpeeds(await ok(f.device, buildGetPerformance({ type: 3 })));
    expect(sp.map((s) => s.writeSpeedKbps)).toEqual([71920, 53940, 35960, 26970, 17980, 8990]); // BD 16x/12x/8x/6x/4x/2x at 4495 kB/s per 1x
    expect(sp.every((s) => s.endLba === 12219391)).toBe(true);
    await ok(f.device, buildSetCdSpeed({ writeKbps: 8990 }));
    const page = parseModeSense10(await ok(f.device, buildModeSense10(0x2a))).pages[0];
    expect(parseCapabilitiesPage(page.bytes).currentWriteSpeed).toBe(8990);
    expect(parseReadBufferCapacity(await ok(f.device, buildReadBufferCapacity())).bufferLength).toBe(2 * 1024 * 1024);
  });
});

describe('persistence', () => {
  it('a new transport on the same state dir sees the same drive, disc state and data', async () => {
    f = await virtualFixture('dvd+r');
    await ok(f.device, buildWrite10(0, 32, blocks(32, 5)));
    await f.device.close(); // flushes the NWA to state.json
    const state = JSON.parse(readFileSync(join(f.stateDir, f.name, 'state.json'), 'utf8'));
    expect(state.disc.tracks[0].recorded).toBe(32);
    const t2 = new VirtualTransport({ stateDir: f.stateDir });
    expect((await t2.list()).map((x) => x.address)).toEqual([f.address]);
    const dev = await t2.open(f.address);
    const ti = parseReadTrackInformation(await ok(dev, buildReadTrackInformation({ address: 1 })));
    expect(ti.nextWritableAddress).toBe(32);
    expect(Buffer.compare(await ok(dev, buildRead10(0, 32)), Buffer.from(blocks(32, 5)))).toBe(0);
    await dev.close();
    await t2.dispose();
  });

  it('a disc change made by another process (CLI while the app runs) is seen as a media change', async () => {
    f = await virtualFixture('dvd+r');
    const other = new VirtualTransport({ stateDir: f.stateDir });
    await other.insert(f.name, 'bd-re');
    await check(f.device, buildTestUnitReady(), [6, 0x28, 0x00]);
    expect(parseGetConfiguration(await ok(f.device, buildGetConfiguration({ allocationLength: 64 }))).currentProfile).toBe(0x43);
    expect((await gesn(f)).event).toBe('new-media');
    await other.eject(f.name);
    await check(f.device, buildTestUnitReady(), [2, 0x3a, 0x02]);
    expect(f.transport.info(f.name).trayOpen).toBe(true);
    await other.dispose();
  });

  it('rejects bad names, unknown media and duplicate drives with InvalidInputError; unknown drives with NotFoundError', async () => {
    f = await virtualFixture(null);
    await expect(f.transport.create('../evil')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(f.transport.create(f.name)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(f.transport.insert(f.name, 'floppy' as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(f.transport.open('virtual:nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(f.transport.open('/dev/sr0')).rejects.toBeInstanceOf(InvalidInputError);
    await f.transport.remove(f.name);
    expect(await f.transport.list()).toEqual([]);
  });

  it('exclusive open excludes other exclusive opens (EBUSY) until closed; plain opens coexist (O_EXCL)', async () => {
    f = await virtualFixture('dvd+r');
    const a = await f.transport.open(f.address, { exclusive: true });
    const err = await f.transport.open(f.address, { exclusive: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).errno).toBe('EBUSY');
    const watcher = await f.transport.open(f.address);
    await ok(watcher, buildTestUnitReady());
    await watcher.close();
    await a.close();
    const b = await f.transport.open(f.address, { exclusive: true });
    await b.close();
  });
});

describe('fault injection', () => {
  it('returns the given sense on the Nth WRITE, once', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { match: 'write', nth: 2, sense: [3, 0x0c, 0x00] });
    await ok(f.device, buildWrite10(0, 16, blocks(16, 1)));
    await check(f.device, buildWrite10(16, 16, blocks(16, 2)), [3, 0x0c, 0x00]);
    await ok(f.device, buildWrite10(16, 16, blocks(16, 2))); // the failed write recorded nothing
    await ok(f.device, buildWrite10(32, 16, blocks(16, 3)));
  });

  it('repeats a fault on a given opcode; clearFaults removes it', async () => {
    f = await virtualFixture('cd-r');
    f.transport.injectFault(f.name, { match: 0x54, repeat: true, sense: [5, 0x73, 0x02] });
    await check(f.device, buildSendOpcInformation(), [5, 0x73, 0x02]);
    await check(f.device, buildSendOpcInformation(), [5, 0x73, 0x02]);
    f.transport.clearFaults(f.name);
    await ok(f.device, buildSendOpcInformation());
  });

  it('slow writes take at least the delay; a stalled command rejects at its timeout with ETIMEDOUT', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { match: 'write', action: 'delay', delayMs: 150 });
    const t0 = Date.now();
    await ok(f.device, buildWrite10(0, 16, blocks(16, 1)));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    f.transport.injectFault(f.name, { match: 'write', action: 'stall' });
    const t1 = Date.now();
    const err = await f.device.execute({ ...buildWrite10(16, 16, blocks(16, 2)), timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).errno).toBe('ETIMEDOUT');
    expect(Date.now() - t1).toBeGreaterThanOrEqual(190);
    // The drive is usable afterwards and the stalled write did not record anything.
    const ti = parseReadTrackInformation(await ok(f.device, buildReadTrackInformation({ address: 1 })));
    expect(ti.nextWritableAddress).toBe(16);
  });

  it('close() rejects a pending (stalled) command with CancelledError', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { match: 'any', action: 'stall' });
    const pending = f.device.execute({ ...buildTestUnitReady(), timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    await f.device.close();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('disconnect rejects with a TransportError marked disconnected', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { action: 'disconnect' });
    const err = await f.device.execute(buildTestUnitReady()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).disconnected).toBe(true);
    expect((await send(f.device, buildTestUnitReady())).status).toBe(0);
  });
});

describe('immediate operations and test write', () => {
  it('IMMED BLANK / FORMAT / CLOSE / SYNCHRONIZE CACHE report progress as NOT READY 02/04/xx, then GOOD', async () => {
    const { buildBlank } = await import('../../mmc/commands/blank');
    const { buildFormatUnit } = await import('../../mmc/commands/format-unit');
    const { buildCloseTrackSession } = await import('../../mmc/commands/close-track-session');
    const { buildSynchronizeCache } = await import('../../mmc/commands/synchronize-cache');
    const { parseSense } = await import('../../mmc/sense');
    f = await virtualFixture('cd-rw');
    const d = f.device;
    f.transport.recorder(f.name).immediatePolls = 2;
    await ok(d, buildBlank(1, { immediate: true }));
    // MMC-6 §4.1.6: polls answer "operation in progress" with a progress indication until done.
    const first = await d.execute(buildTestUnitReady());
    expect(parseSense(first.sense)).toMatchObject({ key: 2, asc: 0x04, ascq: 0x07, progress: 0 });
    const rs = parseRequestSense(await ok(d, buildRequestSense()));
    expect(rs).toMatchObject({ key: 2, asc: 0x04, ascq: 0x07 });
    expect(rs.progress).toBeCloseTo(0.5, 2);
    await ok(d, buildTestUnitReady());
    await f.transport.insert(f.name, 'dvd+rw');
    await check(d, buildTestUnitReady(), [6, 0x28, 0x00]);
    await ok(d, buildFormatUnit({ formatType: 0x26, blocks: 0, immediate: true }));
    await check(d, buildTestUnitReady(), [2, 0x04, 0x04]);
    await check(d, buildTestUnitReady(), [2, 0x04, 0x04]);
    await ok(d, buildTestUnitReady());
    await f.transport.insert(f.name, 'dvd+r');
    await check(d, buildTestUnitReady(), [6, 0x28, 0x00]);
    await ok(d, buildWrite10(0, 16, blocks(16, 1)));
    await ok(d, buildSynchronizeCache(true));
    await check(d, buildTestUnitReady(), [2, 0x04, 0x08]);
    await check(d, buildTestUnitReady(), [2, 0x04, 0x08]);
    await ok(d, buildCloseTrackSession(1, 1, true));
    await check(d, buildTestUnitReady(), [2, 0x04, 0x08]);
  });

  it('test write (page 05h Test Write): the whole burn is accepted, nothing is recorded', async () => {
    const { buildModeSelect10, encodeWriteParametersPage } = await import('../../mmc/commands/mode-sense');
    const { buildCloseTrackSession } = await import('../../mmc/commands/close-track-session');
    const { buildReadDiscInformation, parseReadDiscInformation } = await import('../../mmc/commands/read-disc-information');
    f = await virtualFixture('dvd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', testWrite: true, multiSession: 0 })]));
    await ok(d, buildWrite10(0, 32, blocks(32, 1)));
    await check(d, buildWrite10(0, 16, blocks(16, 1)), [5, 0x21, 0x02]); // the simulated NWA moved on
    await ok(d, buildWrite10(32, 16, blocks(16, 2)));
    await ok(d, buildCloseTrackSession(2));
    expect(parseReadDiscInformation(await ok(d, buildReadDiscInformation())).discStatus).toBe('complete');
    // Leaving test mode shows the untouched disc.
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', testWrite: false })]));
    expect(parseReadDiscInformation(await ok(d, buildReadDiscInformation())).discStatus).toBe('blank');
    expect(readFileSync(f.transport.backingFile(f.name)).length).toBe(0);
    // DVD+R has no test write (MMC-6 §7.5.4.3): the mode page is refused.
    await f.transport.insert(f.name, 'dvd+r');
    await check(d, buildTestUnitReady(), [6, 0x28, 0x00]);
    await check(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', testWrite: true })]), [5, 0x26, 0x02]);
  });
});
