// Session behaviour against a scripted target (fake-target.ts) for what tgtd will not do on
// demand: a closed CmdSN window, Reject, Async Message, hostile or out-of-order PDUs, a target
// vanishing mid-login. Everything must end in a result or a typed error, never a hang or a crash.
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, TransportError } from '../../common/errors';
import { FakeTarget, type FakeConnection, type InitiatorPdu } from './fake-target';
import { IscsiTransport, discover } from './iscsi-transport';

const transport = new IscsiTransport([], { keepaliveIntervalMs: 0, exchangeTimeoutMs: 2000 });
const INQUIRY = { cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0), direction: 'in' as const, length: 36 };
const TUR = { cdb: new Uint8Array(6), direction: 'none' as const };
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
/** Polls until `cond` holds (CPU is shared: fixed sleeps are only used to show something does NOT happen). */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await tick(10);
}

let target: FakeTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

const scsi = (p: InitiatorPdu) => p.opcode === 0x01;

describe('iSCSI session against a scripted target', () => {
  it('holds commands while the CmdSN window is closed and sends them in order when it opens (RFC 7143 §4.2.2.1)', async () => {
    const cmds: Array<{ conn: FakeConnection; pdu: InitiatorPdu }> = [];
    target = await FakeTarget.start({ window: 1, onPdu: (conn, pdu) => scsi(pdu) && cmds.push({ conn, pdu }) });
    const dev = await transport.open(target.address);
    const all = Promise.all([dev.execute(TUR), dev.execute(TUR), dev.execute(TUR)]);
    await until(() => cmds.length > 0);
    await tick();
    expect(cmds).toHaveLength(1);
    // A command still queued behind the closed window can be cancelled: it never reaches the target.
    const ac = new AbortController();
    const queued = dev.execute(TUR, ac.signal).catch((e: unknown) => e);
    ac.abort();
    expect(await queued).toBeInstanceOf(CancelledError);
    // Answering consumes the CmdSN but MaxCmdSN stays: the window is still closed.
    cmds[0].conn.respond(cmds[0].pdu.itt);
    await tick();
    expect(cmds).toHaveLength(1);
    cmds[0].conn.openWindow(2);
    await until(() => cmds.length === 3);
    expect(cmds).toHaveLength(3);
    expect(cmds.map((c) => c.pdu.cmdSN - cmds[0].pdu.cmdSN)).toEqual([0, 1, 2]);
    for (const c of cmds.slice(1)) c.conn.respond(c.pdu.itt);
    expect((await all).map((r) => r.status)).toEqual([0, 0, 0]);
    await dev.close();
  });

  it('CHECK CONDITION sense and an underflow residual in a collapsed Data-In are returned as data (§11.4.7, §11.7)', async () => {
    const sense = Buffer.from('70000200000000' + '0a00000000' + '3a0000000000', 'hex');
    target = await FakeTarget.start({
      onPdu: (conn, pdu) => {
        if (!scsi(pdu)) return;
        if (pdu.bhs[32] === 0x00) return conn.respond(pdu.itt, 0x02, sense);
        // 20 of 36 bytes, status in the last Data-In: F|S|U, residual 16.
        const bhs = conn.bhs(0x25, 0x80 | 0x01 | 0x02, pdu.itt, { 3: [0], 20: [0xff, 0xff, 0xff, 0xff] });
        bhs.writeUInt32BE(16, 44);
        conn.send(bhs, Buffer.alloc(20, 0xab));
      },
    });
    const dev = await transport.open(target.address);
    const tur = await dev.execute(TUR);
    expect(tur.status).toBe(2);
    expect(Buffer.from(tur.sense).equals(sense)).toBe(true);
    const inq = await dev.execute(INQUIRY);
    expect(inq).toMatchObject({ status: 0, residual: 16 });
    expect(inq.data.equals(Buffer.alloc(20, 0xab))).toBe(true);
    await dev.close();
  });

  it('answers a target NOP-In ping with TTT and data echoed, immediate, ITT 0xffffffff (§11.18/§11.19)', async () => {
    let nopOut: InitiatorPdu | undefined;
    target = await FakeTarget.start({ onPdu: (_c, pdu) => pdu.opcode === 0x00 && (nopOut = pdu) });
    const dev = await transport.open(target.address);
    const conn = target.connections[0];
    conn.send(conn.bhs(0x20, 0x80, 0xffffffff, { 20: [0, 0, 0x12, 0x34] }, false), Buffer.from('ping'));
    await until(() => nopOut !== undefined);
    expect(nopOut).toBeDefined();
    expect(nopOut!.immediate).toBe(true);
    expect(nopOut!.itt).toBe(0xffffffff);
    expect(nopOut!.bhs.readUInt32BE(20)).toBe(0x1234);
    expect(nopOut!.data.toString()).toBe('ping');
    await dev.close();
  });

  it('a Reject of a command fails that command with EPROTO and leaves the session usable (§11.17)', async () => {
    let n = 0;
    target = await FakeTarget.start({
      onPdu: (conn, pdu) => {
        if (!scsi(pdu)) return;
        if (n++ === 0) conn.send(conn.bhs(0x3f, 0x80, 0xffffffff, { 2: [0x04] }), pdu.bhs);
        else conn.respond(pdu.itt);
      },
    });
    const dev = await transport.open(target.address);
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EPROTO' });
    expect((await dev.execute(TUR)).status).toBe(0);
    await dev.close();
  });

  it('Data-In beyond the expected length ends the session: EPROTO, disconnected', async () => {
    target = await FakeTarget.start({
      onPdu: (conn, pdu) => scsi(pdu) && conn.send(conn.bhs(0x25, 0x81, pdu.itt, { 40: [0, 0, 0, 32] }), Buffer.alloc(16)),
    });
    const dev = await transport.open(target.address);
    let closed: Error | undefined;
    dev.onClose((e) => (closed = e));
    await expect(dev.execute(INQUIRY)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EPROTO', disconnected: true });
    expect(closed).toBeInstanceOf(TransportError);
    await expect(dev.execute(TUR)).rejects.toMatchObject({ disconnected: true });
  });

  it('an Async Message asking for logout (event 1) makes the initiator log out (§11.9.1)', async () => {
    target = await FakeTarget.start();
    const dev = await transport.open(target.address);
    let closedWith: Error | undefined;
    dev.onClose((e) => (closedWith = e));
    const conn = target.connections[0];
    const pending = dev.execute(TUR).catch((e: unknown) => e); // the fake never answers it
    await until(() => conn.received.some(scsi));
    conn.send(conn.bhs(0x32, 0x80, 0xffffffff, { 36: [1] }));
    await until(() => closedWith !== undefined);
    expect(conn.received.some((p) => p.opcode === 0x06)).toBe(true);
    expect(dev.isOpen).toBe(false);
    // The user did not cancel: what was in flight fails as a disconnect, not as a CancelledError.
    expect(await pending).toMatchObject({ code: 'TRANSPORT', disconnected: true });
    expect(closedWith).toMatchObject({ code: 'TRANSPORT', disconnected: true });
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'TRANSPORT', disconnected: true });
  });

  it('a target that drops the connection during login fails open() with a TransportError', async () => {
    target = await FakeTarget.start({ onLogin: (n) => (n === 1 ? 'close' : undefined) });
    const err = await transport.open(target.address).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
  });

  it('follows a login redirection (Status-Class 1) to the TargetAddress given (§11.13.5, §13.8)', async () => {
    target = await FakeTarget.start({ onPdu: (conn, pdu) => scsi(pdu) && conn.respond(pdu.itt) });
    const mover = await FakeTarget.start({ redirectTo: `127.0.0.1:${target.port},1` });
    try {
      const dev = await transport.open(mover.address);
      expect((await dev.execute(TUR)).status).toBe(0);
      expect(target.connections).toHaveLength(1);
      expect(mover.connections).toHaveLength(1);
      await dev.close();
    } finally {
      await mover.close();
    }
  });

  it('malformed commands are refused as InvalidInputError before anything is sent', async () => {
    target = await FakeTarget.start({ onPdu: (conn, pdu) => scsi(pdu) && conn.respond(pdu.itt) });
    const dev = await transport.open(target.address);
    await expect(dev.execute({ cdb: new Uint8Array(17), direction: 'none' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(dev.execute({ cdb: new Uint8Array(10), direction: 'in', length: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(dev.execute({ cdb: new Uint8Array(10), direction: 'in', length: 2 ** 40 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(target.connections[0].received.filter(scsi)).toHaveLength(0);
    const same = { user: 'u', secret: 'same-secret-12', mutual: { secret: 'same-secret-12' } };
    await expect(new IscsiTransport([{ address: target.address, chap: same }]).open(target.address)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await dev.execute(TUR)).status).toBe(0);
    await dev.close();
  });

  it('list(): one login per identity TTL, then only a TCP probe; a vanished portal drops out', async () => {
    target = await FakeTarget.start({ onPdu: (conn, pdu) => scsi(pdu) && conn.send(conn.bhs(0x25, 0x81, pdu.itt), Buffer.concat([Buffer.from([5, 0x80, 5, 2, 31, 0, 0, 0]), Buffer.from('FAKE    DVD WRITER      0001')])) });
    const t = new IscsiTransport([target.address], { keepaliveIntervalMs: 0 });
    const expected = [{ address: target.address, vendor: 'FAKE', model: 'DVD WRITER', revision: '0001', kind: 'iscsi' }];
    expect(await t.list()).toEqual(expected);
    expect(await t.list()).toEqual(expected);
    const logins = () => target!.connections.filter((c) => c.loggedIn).length;
    expect(logins()).toBe(1);
    t.identityTtlMs = 0;
    expect(await t.list()).toEqual(expected);
    expect(logins()).toBe(2);
    t.identityTtlMs = 60_000;
    await target.close();
    target = undefined;
    expect(await t.list()).toEqual([]);
  });

  it('SendTargets answer split over Text Responses (C bit, TTT continuation, a key cut mid-value) is reassembled (§11.11)', async () => {
    const answer = Buffer.from('TargetName=iqn.2026-11.test:a\0TargetAddress=10.0.0.1:3260,1\0TargetAddress=[fd00::1]:3261,2\0TargetName=iqn.2026-11.test:b\0');
    const cut = 37; // inside the first TargetAddress value
    const requests: InitiatorPdu[] = [];
    target = await FakeTarget.start({
      onPdu: (conn, pdu) => {
        if (pdu.opcode !== 0x04) return;
        requests.push(pdu);
        if (requests.length === 1) conn.send(conn.bhs(0x24, 0x40, pdu.itt, { 20: [0, 0, 0, 0x10] }), answer.subarray(0, cut));
        else conn.send(conn.bhs(0x24, 0x80, pdu.itt, { 20: [0xff, 0xff, 0xff, 0xff] }), answer.subarray(cut));
      },
    });
    const found = await discover(`127.0.0.1:${target.port}`, { keepaliveIntervalMs: 0 });
    expect(found).toEqual([
      { targetName: 'iqn.2026-11.test:a', portals: [{ host: '10.0.0.1', port: 3260, tpgt: 1 }, { host: 'fd00::1', port: 3261, tpgt: 2 }] },
      { targetName: 'iqn.2026-11.test:b', portals: [] },
    ]);
    expect(requests[0].data.toString()).toBe('SendTargets=All\0');
    // The continuation request is empty and echoes the target's TTT (§11.10).
    expect(requests[1].data.length).toBe(0);
    expect(requests[1].bhs.readUInt32BE(20)).toBe(0x10);
    expect(requests[0].itt).toBe(requests[1].itt);
  });

  it('a Login Response split with the C bit is reassembled; the follow-up request is empty with T=0 (§11.12, §11.13)', async () => {
    target = await FakeTarget.start({
      splitOperationalAnswer: true,
      operationalKeys: [
        ['HeaderDigest', 'None'],
        ['DataDigest', 'None'],
        ['MaxRecvDataSegmentLength', '16384'],
        ['InitialR2T', 'No'],
        ['ImmediateData', 'Yes'],
        ['MaxBurstLength', '131072'],
        ['FirstBurstLength', '32768'],
      ],
    });
    const dev = await transport.open(target.address);
    expect(dev.params).toMatchObject({ maxXmitDataSegmentLength: 16384, initialR2T: false, immediateData: true, maxBurstLength: 131072, firstBurstLength: 32768 });
    const reqs = target.connections[0].loginRequests;
    expect(reqs).toHaveLength(3); // security, operational, empty continuation
    expect(reqs[2].data.length).toBe(0);
    expect(reqs[2].flags & 0xc0).toBe(0);
    await dev.close();
  });

  it('a command timeout rejects with ETIMEDOUT and sends ABORT TASK for it (§11.5); the session goes on', async () => {
    let first: InitiatorPdu | undefined;
    let tmf: InitiatorPdu | undefined;
    target = await FakeTarget.start({
      onPdu: (conn, pdu) => {
        if (pdu.opcode === 0x02) {
          tmf = pdu;
          conn.send(conn.bhs(0x22, 0x80, pdu.itt)); // Function complete
        } else if (scsi(pdu)) {
          if (!first) first = pdu; // never answered
          else conn.respond(pdu.itt);
        }
      },
    });
    const dev = await transport.open(target.address);
    await expect(dev.execute({ ...TUR, timeoutMs: 200 })).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'ETIMEDOUT' });
    await until(() => tmf !== undefined);
    expect(tmf!.flags).toBe(0x81); // F + function 1 ABORT TASK
    expect(tmf!.bhs.readUInt32BE(20)).toBe(first!.itt); // Referenced Task Tag
    expect(tmf!.bhs.readUInt32BE(32)).toBe(first!.cmdSN); // RefCmdSN
    expect((await dev.execute(TUR)).status).toBe(0);
    await dev.close();
  });

  it('nothing listening: ECONNREFUSED as a TransportError', async () => {
    const t = await FakeTarget.start();
    const addr = t.address;
    await t.close();
    await expect(transport.open(addr)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'ECONNREFUSED', disconnected: false });
  });

  it('fuzz: random target PDUs while a command is pending end in a result or a TransportError, never a hang', async () => {
    let seed = 0xc0ffee;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const opcodes = [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f, 0x01, 0x3e];
    const outcomes = { resolved: 0, rejected: 0 };
    for (let i = 0; i < 60; i++) {
      target = await FakeTarget.start({
        onPdu: (conn, pdu) => {
          if (!scsi(pdu)) return;
          for (let k = 0, n = 1 + rnd(4); k < n; k++) {
            const bhs = Buffer.alloc(48);
            for (let j = 0; j < 48; j++) bhs[j] = rnd(256);
            bhs[0] = opcodes[rnd(opcodes.length)];
            bhs[4] = 0;
            // Half the PDUs address the pending task, so task-level checks are reached.
            if (rnd(2)) bhs.writeUInt32BE(pdu.itt, 16);
            if (rnd(2)) bhs.writeUInt32BE(conn.maxCmdSN, 32);
            const data = Buffer.alloc(rnd(3) === 0 ? rnd(64) : 0);
            for (let j = 0; j < data.length; j++) data[j] = rnd(256);
            conn.send(bhs, data);
          }
          conn.respond(pdu.itt);
        },
      });
      const dev = await transport.open(target.address);
      const r = await dev.execute({ ...INQUIRY, timeoutMs: 1000 }).then(
        () => 'resolved' as const,
        (e: unknown) => {
          expect(e).toBeInstanceOf(TransportError);
          return 'rejected' as const;
        },
      );
      outcomes[r]++;
      await dev.close();
      await target.close();
      target = undefined;
    }
    expect(outcomes.resolved + outcomes.rejected).toBe(60);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });
});
