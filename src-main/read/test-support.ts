// Test helpers for read/verify: small ISO images made by xorriso, pressed discs in a virtual
// recorder, and a device decorator that makes chosen sectors unreadable (a scratched disc).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../transport/transport';
import { buildFixedSense } from '../mmc/sense';
import { rd16, rd24, rd32 } from '../mmc/bytes';
import type { DriveService } from '../drive/drive-service';
import { readDiscLayout, type DiscLayout } from './disc-layout';

/** Writes `files` (path → content) under `root`. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, c] of Object.entries(files)) {
    const f = join(root, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, c);
  }
}

/** An ISO 9660 + Rock Ridge + Joliet image of `root` made by xorriso (the independent writer). */
export function xorrisoImage(root: string, out: string, volid = 'TESTDISC'): void {
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', volid, '-o', out, root], { stdio: 'pipe' });
}

/** Deterministic bytes (not all one value, so a misplaced sector shows). */
export function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17 + (i >> 9)) & 0xff;
  return b;
}

/**
 * Wraps a device so READ(10)/READ(12)/READ CD touching any LBA in `bad` answer MEDIUM ERROR
 * 03/11/00 (unrecovered read error, SPC-4) with the LBA in INFORMATION, as a scratched disc does.
 * `healAfter` makes a sector readable after that many failed attempts (a marginal sector).
 */
export function scratched(dev: ScsiDevice, bad: Iterable<number>, opts: { healAfter?: number } = {}): ScsiDevice & { attempts: Map<number, number> } {
  const set = new Set(bad);
  const attempts = new Map<number, number>();
  return {
    get address() {
      return dev.address;
    },
    attempts,
    close: () => dev.close(),
    async execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
      const c = cmd.cdb;
      const op = c[0];
      const span = op === 0x28 ? [rd32(c, 2), rd16(c, 7)] : op === 0xa8 ? [rd32(c, 2), rd32(c, 6)] : op === 0xbe ? [rd32(c, 2), rd24(c, 6)] : undefined;
      if (span) {
        for (let l = span[0]; l < span[0] + span[1]; l++) {
          if (!set.has(l)) continue;
          const n = (attempts.get(l) ?? 0) + 1;
          attempts.set(l, n);
          if (opts.healAfter !== undefined && n > opts.healAfter) continue;
          return { status: 2, sense: buildFixedSense(3, 0x11, 0x00, { information: l }), data: Buffer.alloc(0), residual: cmd.length ?? 0, durationMs: 0 };
        }
      }
      return dev.execute(cmd, signal);
    },
  } as ScsiDevice & { attempts: Map<number, number> };
}

/** The first data sector of a file in an image, as xorriso reports it (an independent reader's view). */
export function fileLba(iso: string, path: string): number {
  const out = execFileSync('xorriso', ['-indev', iso, '-find', path, '-exec', 'report_lba'], { stdio: 'pipe' }).toString();
  const m = /File data lba:\s+\d+\s*,\s*(\d+)/.exec(out);
  if (!m) throw new Error(`no LBA for ${path} in ${out}`);
  return Number(m[1]);
}

/** The layout of the disc in `address`, read under a 'read' lease (sessions and tracks as the drive reports them). */
export async function leasedLayout(drives: DriveService, address: string): Promise<DiscLayout> {
  const l = await drives.lease(address, 'read');
  try {
    return await readDiscLayout(l.drive);
  } finally {
    await l.release();
  }
}

/** The files xorriso lists in `iso` for the session whose volume descriptors start at sector `sb` + 16, sorted. */
export function xorrisoFiles(iso: string, sb: number): string[] {
  return execFileSync('xorriso', ['-load', 'sbsector', String(sb), '-indev', iso, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .split('\n').filter((l) => l.startsWith("'")).map((l) => l.slice(1, -1)).sort();
}
