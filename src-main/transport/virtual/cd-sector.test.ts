// READ CD's generated mode 1 framing, EDC/ECC and Q sub-channel, checked against independent peers:
// MAME's chdman (its CD codec strips sync/header/ECC only when its own encoder regenerates them
// byte for byte, and regenerates them on extract), python3-crcmod (EDC from the ECMA-130 §14.3
// polynomial), CPython's binascii.crc_hqx (CRC-16 CCITT of Q) and a separate Python RSPC syndrome
// checker and single-error decoder written from ECMA-130 Annex A (GF arithmetic by shift-and-reduce,
// no tables shared with cd-sector.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { buildModeSelect10, encodeWriteParametersPage } from '../../mmc/commands/mode-sense';
import { buildReadCd } from '../../mmc/commands/read-cd';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import { ok } from './test-util';
import { virtualFixture, type VirtualFixture } from './testing';

const PY = '/usr/bin/python3'; // Debian's python3-crcmod installs for the system interpreter
const N = 300;

function py(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ['-c', script, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

// EDC of every sector by crcmod: P(x) = x^32+x^31+x^16+x^15+x^4+x^3+x+1, reflected, stored LSB first.
const EDC_PY = `
import sys, crcmod
f = crcmod.mkCrcFun(0x18001801B, rev=True, initCrc=0, xorOut=0)
d = open(sys.argv[1], 'rb').read()
bad = [i for i in range(len(d)//2352) if f(d[i*2352:i*2352+2064]).to_bytes(4, 'little') != d[i*2352+2064:i*2352+2068]]
print(len(bad))
`;

// ECMA-130 Annex A: per plane (even/odd bytes from offset 12), P vectors = 43 columns of 26,
// Q vectors = 26 diagonals of 45; each must satisfy sum(v) = 0 and sum(alpha^(n-1-i) v_i) = 0.
// Then one corrupted byte per sector is located from the P syndromes (S1/S0 = alpha^(n-1-i)) and fixed.
const RSPC_PY = `
import sys, random
def gmul(a, b):
    r = 0
    while b:
        if b & 1: r ^= a
        a <<= 1
        if a & 0x100: a ^= 0x11d
        b >>= 1
    return r
def apow(k):
    r = 1
    for _ in range(k): r = gmul(r, 2)
    return r
AP = [apow(k) for k in range(45)]
def vectors(plane):
    at = lambda n: 12 + 2*n + plane
    P = [[at(43*r + c) for r in range(26)] for c in range(43)]
    Q = [[at((44*m + 43*d) % 1118) for m in range(43)] + [at(1118 + d), at(1144 + d)] for d in range(26)]
    return P, Q
def synd(s, v):
    n = len(v); s0 = s1 = 0
    for i, o in enumerate(v):
        s0 ^= s[o]; s1 ^= gmul(s[o], AP[n-1-i])
    return s0, s1
VEC = [vectors(0), vectors(1)]
d = bytearray(open(sys.argv[1], 'rb').read())
nonzero = 0; fixed = 0; sectors = len(d)//2352
random.seed(7)
for k in range(sectors):
    s = d[k*2352:(k+1)*2352]
    for P, Q in VEC:
        for v in P + Q:
            if synd(s, v) != (0, 0): nonzero += 1
    orig = bytes(s)
    pos = random.randrange(12, 2076); s[pos] ^= random.randrange(1, 256)
    plane = (pos - 12) % 2
    for v in VEC[plane][0]:
        s0, s1 = synd(s, v)
        if s0:
            n = len(v)
            i = next(i for i in range(n) if gmul(s0, AP[n-1-i]) == s1)
            s[v[i]] ^= s0
    if bytes(s) == orig: fixed += 1
print(nonzero, fixed, sectors)
`;

describe.skipIf(!requireTools('chdman', PY))('READ CD mode 1 framing, EDC and ECC against chdman, crcmod and an RSPC decoder', () => {
  let f: VirtualFixture;
  let dir: string;
  let user: Buffer;
  let raw: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cdsector-'));
    f = await virtualFixture('cd-r');
    const d = f.device;
    // TAO mode 1 data track sent as 2048-byte user data (data block type 8): the drive frames it.
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 8, trackMode: 4 })]));
    user = randomBytes(N * 2048);
    for (let i = 0; i < N; i += 50) await ok(d, buildWrite10(i, 50, user.subarray(i * 2048, (i + 50) * 2048)));
    await ok(d, buildCloseTrackSession(2)); // close session (MMC-6 §6.3): the track gets its run-out, the TOC is written
    raw = await ok(d, buildReadCd({ lba: 0, blocks: N, sectorType: 2, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
    writeFileSync(join(dir, 'good.bin'), raw);
    // Control: the same sectors with one Q parity bit flipped each, which no peer may accept.
    const bad = Buffer.from(raw);
    for (let i = 0; i < N; i++) bad[i * 2352 + 2300] ^= 1;
    writeFileSync(join(dir, 'bad.bin'), bad);
    for (const n of ['good', 'bad']) writeFileSync(join(dir, `${n}.cue`), `FILE "${n}.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n`);
  });

  afterAll(async () => {
    await f?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('frames each sector: sync, BCD MSF header with mode 1, user data at byte 16 (ECMA-130 §14.1)', () => {
    expect(raw.length).toBe(N * 2352);
    expect([...raw.subarray(0, 12)]).toEqual([0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
    expect([...raw.subarray(299 * 2352 + 12, 299 * 2352 + 16)]).toEqual([0x00, 0x05, 0x74, 0x01]); // LBA 299 + 150 = 00:05:74
    expect(Buffer.compare(raw.subarray(16, 2064), user.subarray(0, 2048))).toBe(0);
    expect(raw.subarray(2068, 2076).every((b) => b === 0)).toBe(true);
  });

  it('chdman recognises every sector as regenerable and reproduces it byte for byte', () => {
    for (const n of ['good', 'bad']) {
      const r = spawnSync('chdman', ['createcd', '-f', '-i', join(dir, `${n}.cue`), '-o', join(dir, `${n}.chd`), '-c', 'cdzl'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const good = statSync(join(dir, 'good.chd')).size;
    const bad = statSync(join(dir, 'bad.chd')).size;
    // chdman drops sync, header and the 276 parity bytes only for sectors whose ECC it regenerates exactly.
    expect(bad - good).toBeGreaterThan(N * 250);
    const r = spawnSync('chdman', ['extractcd', '-f', '-i', join(dir, 'good.chd'), '-o', join(dir, 'x.cue'), '-ob', join(dir, 'x.bin')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'x.bin')), raw)).toBe(0);
  });

  it('EDC agrees with crcmod for every sector (and the control is not vacuous)', () => {
    expect(py(EDC_PY, join(dir, 'good.bin'))).toBe('0');
    const broken = Buffer.from(raw.subarray(0, 2352 * 3));
    broken[100] ^= 0x40;
    writeFileSync(join(dir, 'edc-bad.bin'), broken);
    expect(py(EDC_PY, join(dir, 'edc-bad.bin'))).toBe('1');
  });

  it('mode 2 form 1 (data block type 10): sub-header, EDC over bytes 16–2071 and header-zero parity accepted by chdman and crcmod', async () => {
    const g = await virtualFixture('cd-r', { name: 'm2' });
    try {
      const d = g.device;
      await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 10, trackMode: 4, sessionFormat: 0x20 })]));
      const data = randomBytes(N * 2048);
      for (let i = 0; i < N; i += 100) await ok(d, buildWrite10(i, 100, data.subarray(i * 2048, (i + 100) * 2048)));
      await ok(d, buildCloseTrackSession(2));
      const m2 = await ok(d, buildReadCd({ lba: 0, blocks: N, sectorType: 4, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
      expect(m2.length).toBe(N * 2352);
      expect([...m2.subarray(12, 24)]).toEqual([0x00, 0x02, 0x00, 0x02, 0, 0, 8, 0, 0, 0, 8, 0]);
      expect(Buffer.compare(m2.subarray(2352 + 24, 2352 + 2072), data.subarray(2048, 4096))).toBe(0);
      writeFileSync(join(dir, 'm2.bin'), m2);
      writeFileSync(join(dir, 'm2.cue'), 'FILE "m2.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n');
      const r = spawnSync('chdman', ['createcd', '-f', '-i', join(dir, 'm2.cue'), '-o', join(dir, 'm2.chd'), '-c', 'cdzl'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(join(dir, 'm2.chd')).size).toBeLessThan(N * 2048 + N * 60);
      const x = spawnSync('chdman', ['extractcd', '-f', '-i', join(dir, 'm2.chd'), '-o', join(dir, 'm2x.cue'), '-ob', join(dir, 'm2x.bin')], { encoding: 'utf8' });
      expect(x.status, x.stderr).toBe(0);
      expect(Buffer.compare(readFileSync(join(dir, 'm2x.bin')), m2)).toBe(0);
      const edcBad = py(`
import sys, crcmod
f = crcmod.mkCrcFun(0x18001801B, rev=True, initCrc=0, xorOut=0)
d = open(sys.argv[1], 'rb').read()
print(sum(1 for i in range(len(d)//2352) if f(d[i*2352+16:i*2352+2072]).to_bytes(4, 'little') != d[i*2352+2072:i*2352+2076]))
`, join(dir, 'm2.bin'));
      expect(edcBad).toBe('0');
    } finally {
      await g.cleanup();
    }
  });

  it('P/Q parity: all syndromes zero, and a single corrupted byte per sector is corrected', () => {
    const sample = raw.subarray(0, 40 * 2352); // the pure-Python checker is slow: 40 sectors
    writeFileSync(join(dir, 'sample.bin'), sample);
    expect(py(RSPC_PY, join(dir, 'sample.bin'))).toBe('0 40 40');
    const bad = readFileSync(join(dir, 'bad.bin')).subarray(0, 40 * 2352);
    writeFileSync(join(dir, 'sample-bad.bin'), bad);
    expect(Number(py(RSPC_PY, join(dir, 'sample-bad.bin')).split(' ')[0])).toBeGreaterThan(0);
  });
});

describe.skipIf(!requireTools('cd-info', 'genisoimage'))('READ CD raw sectors of a burned ISO read by libcdio', () => {
  it('cd-info finds the ISO 9660 volume in the 2352-byte image read back with READ CD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-cdinfo-'));
    const f = await virtualFixture('cd-r');
    try {
      writeFileSync(join(dir, 'HELLO.TXT'), 'hello from the virtual recorder\n');
      const g = spawnSync('genisoimage', ['-quiet', '-V', 'GMRAWTEST', '-o', join(dir, 'v.iso'), join(dir, 'HELLO.TXT')], { encoding: 'utf8' });
      expect(g.status, g.stderr).toBe(0);
      const iso = readFileSync(join(dir, 'v.iso'));
      const n = iso.length / 2048;
      const d = f.device;
      await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 8, trackMode: 4 })]));
      await ok(d, buildWrite10(0, n, iso));
      await ok(d, buildCloseTrackSession(2));
      const raw = await ok(d, buildReadCd({ lba: 0, blocks: n, sectorType: 2, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
      writeFileSync(join(dir, 'v.bin'), raw);
      writeFileSync(join(dir, 'v.cue'), 'FILE "v.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n');
      const r = spawnSync('cd-info', ['--no-header', '--no-device-info', '--cue-file', join(dir, 'v.cue')], { encoding: 'utf8' });
      expect(r.stdout).toContain('CD-ROM with ISO 9660 filesystem');
      expect(r.stdout).toMatch(new RegExp(`ISO 9660: ${n} blocks, label \`GMRAWTEST`));
    } finally {
      await f.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
