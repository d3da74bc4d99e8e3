// The tgtd harness, checked with libiscsi's command-line tools as the independent initiator.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireTools } from './peer-tools';
import { startTgtd } from './tgtd';

const ok = requireTools('tgtd', 'tgtadm', 'iscsi-inq');
const run = promisify(execFile);

async function inq(url: string): Promise<string> {
  const { stdout } = await run('iscsi-inq', [url], { timeout: 10_000 });
  return stdout;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe.skipIf(!ok)('tgtd harness', () => {
  it('runs two independent instances, each with its own portal, control socket and temp dir', async () => {
    const [a, b] = await Promise.all([startTgtd(), startTgtd()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.controlPort).not.toBe(b.controlPort);
      const urlA = await a.addTarget('iqn.2026-11.org.glassmaster.test:a');
      const urlB = await b.addTarget('iqn.2026-11.org.glassmaster.test:b', await b.dataDisc(4096));
      expect(urlA).toBe(`iscsi://127.0.0.1:${a.port}/iqn.2026-11.org.glassmaster.test:a/1`);
      // A DVD writer LUN: SPC peripheral type 5 as libiscsi reports it.
      expect(await inq(urlA)).toMatch(/Peripheral Device Type:\s*MMC/);
      expect(await inq(urlB)).toMatch(/Peripheral Device Type:\s*MMC/);
      // Each control socket only knows its own targets.
      expect(await a.show()).toContain(':a');
      expect(await a.show()).not.toContain(':b');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('setOnline and swapMedia change the LUN as tgtadm reports it', async () => {
    const t = await startTgtd();
    try {
      const iqn = 'iqn.2026-11.org.glassmaster.test:tray';
      const first = await t.blankDisc('first.img');
      await t.addTarget(iqn, first);
      expect(await t.show(iqn)).toMatch(new RegExp(`Backing store path: ${first}`));
      await t.setOnline(iqn, false);
      expect(await t.show(iqn)).toMatch(/LUN: 1[\s\S]*Online: No/);
      const second = await t.dataDisc(Buffer.alloc(8192, 1), 'second.img');
      await t.swapMedia(iqn, second);
      const after = await t.show(iqn);
      expect(after.startsWith(`Target 1: ${iqn}`)).toBe(true);
      expect(after).toMatch(new RegExp(`Backing store path: ${second}`));
      expect(after).toMatch(/LUN: 1[\s\S]*Online: Yes/);
    } finally {
      await t.stop();
    }
  });

  it('target parameters are set at creation (e.g. for NOP-In pings)', async () => {
    const t = await startTgtd();
    try {
      const iqn = 'iqn.2026-11.org.glassmaster.test:params';
      await t.addTarget(iqn, undefined, { params: { nop_interval: 3, MaxRecvDataSegmentLength: 16384 } });
      expect(await t.params(iqn)).toMatchObject({ nop_interval: '3', MaxRecvDataSegmentLength: '16384' });
    } finally {
      await t.stop();
    }
  });

  it('a CHAP target refuses libiscsi without credentials and accepts the right ones', async () => {
    const t = await startTgtd();
    try {
      const url = await t.addTarget('iqn.2026-11.org.glassmaster.test:chap', undefined, { chap: { user: 'u1', password: 'pass-12chars' } });
      await expect(inq(url)).rejects.toThrow();
      // libiscsi URL form: iscsi://user%password@host/...
      expect(await inq(url.replace('iscsi://', 'iscsi://u1%pass-12chars@'))).toMatch(/Peripheral Device Type:\s*MMC/);
    } finally {
      await t.stop();
    }
  });

  it('stop() kills the process group and removes the portal, control socket and temp dir', async () => {
    const t = await startTgtd();
    await t.addTarget('iqn.2026-11.org.glassmaster.test:gone');
    const sock = `/var/run/tgtd/socket.${t.controlPort}`;
    expect(existsSync(sock)).toBe(true);
    expect(await portOpen(t.host, t.port)).toBe(true);
    await t.stop();
    expect(await portOpen(t.host, t.port)).toBe(false);
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(t.dir)).toBe(false);
    expect(() => process.kill(t.pid!, 0)).toThrow();
  });
});
