// Readability preflight: a pure function from the staged tree and the chosen file systems to what
// each audience (Windows, macOS, Linux, standalone players) will see, with fixes.
import { InvalidInputError } from '../../common/errors';
import { assignIsoNames } from '../iso9660/names';
import { assignJolietNames } from '../joliet/names';
import {
  CASE_INSENSITIVE,
  D_CHARACTERS,
  FACET_PREFERENCE,
  ISO_EXTENT_MAX,
  ISO_MAX_DEPTH,
  ISO_MAX_PATH,
  ISO_NAME_RULES,
  JOLIET_FORBIDDEN,
  JOLIET_MAX_CHARS,
  PLAYER_SAFE_FILE_SIZE,
  PLAYER_UDF_MAX,
  RR_MAX_NAME_BYTES,
  UDF_MAX_NAME_BYTES,
  UDF_MAX_PATH_BYTES,
  UDF_READ_SUPPORT,
  UDF_REVISIONS,
  WINDOWS_MAX_PATH,
  type Audience,
  type FsFacet,
} from './rules';

export interface PreflightEntry {
  /** Path components from the disc root, e.g. ["docs", "readme.txt"]. */
  path: string[];
  kind: 'file' | 'dir' | 'symlink';
  size: number;
}

export interface PreflightOptions {
  fs: FsFacet[];
  isoLevel: 1 | 2 | 3;
  /** e.g. "2.01"; defaults to "2.01" when fs includes udf. */
  udfRevision?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'iso-name-changed'
  | 'iso-name-collision'
  | 'joliet-name-truncated'
  | 'joliet-name-collision'
  | 'joliet-name-chars'
  | 'case-collision'
  | 'file-too-large-for-iso-level'
  | 'multi-extent-file'
  | 'file-over-2gib'
  | 'udf-revision-unreadable'
  | 'udf-name-too-long'
  | 'udf-path-too-long'
  | 'rr-name-too-long'
  | 'deep-directory'
  | 'long-path'
  | 'symlink-not-shown'
  | 'udf-symlink-7zip';

export interface PreflightFinding {
  code: FindingCode;
  severity: Severity;
  /** Disc path ("/a/b"), when the finding is about one entry. */
  path?: string;
  facet?: FsFacet;
  affects: Audience[];
  message: string;
  /** What the name becomes in that facet (mangled, truncated …). */
  shownAs?: string;
  fix?: string;
}

export interface PreflightReport {
  /** False when at least one finding is an error (data will be missing for someone). */
  ok: boolean;
  counts: Record<Severity, number>;
  /** The tree each audience reads (UDF revision permitting), or 'none'. */
  seenBy: Record<Audience, FsFacet | 'none'>;
  findings: PreflightFinding[];
}

const ALL: Audience[] = ['windows', 'macos', 'linux', 'players'];

function revNum(r: string): number {
  const m = /^(\d)\.(\d\d)$/.exec(r);
  if (!m) throw new InvalidInputError(`UDF revision "${r}" is not of the form 2.01`, { udfRevision: r });
  return +m[1] * 100 + +m[2];
}

/** Upper-cases a-z and turns every other non-d-character into "_" (ECMA-119 §7.4.1 d-characters). */
function dChars(s: string): string {
  return [...s].map((c) => (D_CHARACTERS.test(c.toUpperCase()) && c.charCodeAt(0) < 128 ? c.toUpperCase() : '_')).join('');
}

/**
 * ECMA-119 mangling as xorriso applies it (without ";1"): d-characters only, name and extension
 * split at the last dot, each cut to the level's lengths (§7.5.1, §7.6, §10). For reports about
 * images from other writers; preflight() itself predicts Glassmaster's writer (iso9660/names.ts).
 */
export function isoName(name: string, kind: PreflightEntry['kind'], level: 1 | 2 | 3): string {
  const r = ISO_NAME_RULES[level];
  if (kind === 'dir') return dChars(name).slice(0, r.dir);
  const dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1) : '';
  base = dChars(base);
  ext = dChars(ext);
  if (level === 1) return ext ? `${base.slice(0, r.fileName)}.${ext.slice(0, r.fileExt)}` : base.slice(0, r.fileName);
  if (base.length + ext.length > r.fileTotal) {
    if (ext.length > 3) ext = ext.slice(0, 3);
    base = base.slice(0, r.fileTotal - ext.length);
  }
  return ext ? `${base}.${ext}` : base;
}

/** Joliet §3.3 plain cut: forbidden characters become "_", then 64 UCS-2 code units (xorriso-like for names without extension). */
export function jolietName(name: string): string {
  const cleaned = [...name].map((c) => (JOLIET_FORBIDDEN.test(c) ? '_' : c)).join('');
  // UCS-2 code units: a character outside the BMP counts twice; never cut a surrogate pair in half.
  let out = '';
  for (const c of cleaned) {
    if (out.length + c.length > JOLIET_MAX_CHARS) break;
    out += c;
  }
  return out;
}

/** OSTA CS0 byte length: 8-bit compression when every char is ≤ U+00FF, else 16-bit (OSTA UDF §2.1.1). */
function udfNameBytes(name: string): number {
  const wide = [...name].some((c) => c.codePointAt(0)! > 0xff);
  return 1 + (wide ? name.length * 2 : name.length);
}

export function preflight(entries: PreflightEntry[], options: PreflightOptions): PreflightReport {
  const fs = new Set(options.fs);
  if (fs.size === 0) throw new InvalidInputError('preflight needs at least one file system', { fs: options.fs });
  if (fs.has('rockridge') || fs.has('joliet')) fs.add('iso9660'); // both ride on the ISO 9660 tree
  if (![1, 2, 3].includes(options.isoLevel)) throw new InvalidInputError(`ISO level ${options.isoLevel} is not 1, 2 or 3`);
  const udfRevision = options.udfRevision ?? '2.01';
  if (fs.has('udf') && !UDF_REVISIONS.includes(udfRevision)) throw new InvalidInputError(`unknown UDF revision ${udfRevision}`, { udfRevision });
  const findings: PreflightFinding[] = [];
  const add = (f: PreflightFinding) => findings.push(f);
  const level = options.isoLevel;
  const join = (p: string[]) => '/' + p.join('/');

  // Which facet each audience reads (before UDF revision limits, which are findings of their own).
  const seenBy = Object.fromEntries(ALL.map((a) => [a, FACET_PREFERENCE[a].find((f) => fs.has(f)) ?? 'none'])) as Record<Audience, FsFacet | 'none'>;
  const audiencesOf = (facet: FsFacet) => ALL.filter((a) => seenBy[a] === facet);
  const isoOnlyNames = !fs.has('joliet') && !fs.has('rockridge') && !fs.has('udf');

  // Per-directory name maps for collision checks.
  const siblings = new Map<string, PreflightEntry[]>();
  for (const e of entries) {
    if (e.path.length === 0) throw new InvalidInputError('preflight entry with an empty path');
    const parent = join(e.path.slice(0, -1));
    const list = siblings.get(parent) ?? [];
    list.push(e);
    siblings.set(parent, list);
  }

  for (const e of entries) {
    const name = e.path[e.path.length - 1];
    const path = join(e.path);

    if (fs.has('iso9660')) {
      // Root is level 1, so a directory with n components sits at level n + 1; flag the first one past 8.
      if (e.kind === 'dir' && e.path.length + 1 === ISO_MAX_DEPTH + 1) {
        add({
          code: 'deep-directory',
          severity: fs.has('rockridge') || fs.has('udf') ? 'info' : 'warning',
          path,
          facet: 'iso9660',
          affects: fs.has('rockridge') ? ['players', 'windows'] : ALL,
          message: `"${path}" is deeper than ECMA-119's ${ISO_MAX_DEPTH} directory levels; ISO 9660 writers relocate it${fs.has('rockridge') ? ' (Rock Ridge shows it in place, RRIP §4.1.5)' : ''}, plain ISO readers see it elsewhere`,
          fix: 'flatten the tree below 8 levels or add --fs udf',
        });
      }
      const isoPath = e.path.map((c, i) => isoName(c, i === e.path.length - 1 ? e.kind : 'dir', level)).join('/');
      if (isoPath.length + 1 > ISO_MAX_PATH) {
        add({ code: 'long-path', severity: 'warning', path, facet: 'iso9660', affects: audiencesOf('iso9660').concat('players'), message: `the ISO 9660 path is ${isoPath.length + 1} characters; ECMA-119 §6.8.2.1 allows ${ISO_MAX_PATH}`, fix: `shorten the names along ${path}` });
      }
      if (e.kind === 'file' && e.size > ISO_EXTENT_MAX) {
        if (level < 3) {
          add({
            code: 'file-too-large-for-iso-level',
            severity: 'error',
            path,
            facet: 'iso9660',
            affects: fs.has('udf') ? ALL.filter((a) => seenBy[a] !== 'udf') : ALL,
            message: `${fmtSize(e.size)} is over ISO 9660's 4 GiB extent limit; level ${level} cannot split it (ECMA-119 §9.1.4, §10.3)`,
            fix: fs.has('udf') ? '--iso-level 3 (multi-extent) so ISO-only readers get it too' : '--iso-level 3 and add --fs udf',
          });
        } else if (!fs.has('udf')) {
          add({ code: 'multi-extent-file', severity: 'warning', path, facet: 'iso9660', affects: ['players', 'macos'], message: `${fmtSize(e.size)} needs a level 3 multi-extent file; older readers and many players show only the first 4 GiB section`, fix: 'add --fs udf' });
        }
      }
    }

    // Windows' MAX_PATH is 260 including "D:\\" and the terminating NUL (Microsoft, "Maximum Path Length Limitation").
    if (seenBy.windows === 'joliet' || seenBy.windows === 'udf') {
      const winPath = (seenBy.windows === 'joliet' ? e.path.map(jolietName) : e.path).join('\\');
      if (winPath.length + 3 > WINDOWS_MAX_PATH - 1) {
        add({ code: 'long-path', severity: 'warning', path, facet: seenBy.windows, affects: ['windows'], message: `"D:\\${winPath.slice(0, 40)}…" is ${winPath.length + 3} characters; Windows Explorer and most programs stop at ${WINDOWS_MAX_PATH - 1}`, fix: `shorten the names along ${path}` });
      }
    }

    if (e.kind === 'file' && e.size > PLAYER_SAFE_FILE_SIZE) {
      add({ code: 'file-over-2gib', severity: 'info', path, affects: ['players'], message: `${fmtSize(e.size)} is over 2 GiB; many standalone players and car stereos cannot play files this large`, fix: 'split the file below 2 GiB for players' });
    }

    if (fs.has('udf')) {
      if (udfNameBytes(name) > UDF_MAX_NAME_BYTES) {
        add({ code: 'udf-name-too-long', severity: 'error', path, facet: 'udf', affects: audiencesOf('udf'), message: `"${name}" needs ${udfNameBytes(name)} bytes as a UDF identifier; the limit is ${UDF_MAX_NAME_BYTES} (OSTA UDF §2.3.4.4)`, fix: `shorten name "${name}"` });
      }
      const pathBytes = e.path.reduce((s, c) => s + udfNameBytes(c) + 4, 0);
      if (pathBytes > UDF_MAX_PATH_BYTES) {
        add({ code: 'udf-path-too-long', severity: 'warning', path, facet: 'udf', affects: audiencesOf('udf'), message: `path needs ${pathBytes} bytes in UDF; readers may refuse paths over ${UDF_MAX_PATH_BYTES} bytes (OSTA UDF §2.3.12)`, fix: `shorten the names along ${path}` });
      }
    }

    if (fs.has('rockridge') && Buffer.byteLength(name, 'utf8') > RR_MAX_NAME_BYTES) {
      add({ code: 'rr-name-too-long', severity: 'warning', path, facet: 'rockridge', affects: audiencesOf('rockridge'), message: `"${name}" is ${Buffer.byteLength(name, 'utf8')} UTF-8 bytes; Linux and macOS accept at most ${RR_MAX_NAME_BYTES}`, fix: `shorten name "${name}"` });
    }

    if (e.kind === 'symlink' && fs.has('udf') && !findings.some((f) => f.code === 'udf-symlink-7zip')) {
      // 7-Zip accepts only file, directory and real-time file entries (ECMA-167 4/14.6.6 file
      // types 4, 5, 249) and rejects the whole volume on a symlink (type 12): measured with 7z 16.02.
      add({ code: 'udf-symlink-7zip', severity: 'warning', path, facet: 'udf', affects: ['windows'], message: `"${path}" is a symbolic link: 7-Zip (and archive tools built on it) refuse the whole UDF volume when it holds one`, fix: 'follow links when staging (--follow-symlinks), or leave the link to Rock Ridge only' });
    }

    if (e.kind === 'symlink') {
      const blind = ALL.filter((a) => seenBy[a] === 'joliet' || seenBy[a] === 'iso9660');
      if (blind.length) {
        add({ code: 'symlink-not-shown', severity: 'warning', path, affects: blind, message: `symbolic link "${path}" exists only in Rock Ridge${fs.has('udf') ? ' and UDF' : ''}; ${blind.join(', ')} will not see it`, fix: fs.has('rockridge') ? 'replace the link with a copy of its target for Windows/players' : 'add --fs rockridge or follow links when staging' });
      }
    }
  }

  // Names per directory, exactly as Glassmaster's writer assigns them (layout/plan-image.ts sorts
  // siblings by name, then iso9660/names.ts and joliet/names.ts cut, map and de-duplicate).
  for (const [parent, unsorted] of siblings) {
    const list = [...unsorted].sort((a, b) => (last(a) < last(b) ? -1 : last(a) > last(b) ? 1 : 0));
    const spec = list.map((e) => ({ name: last(e), isDir: e.kind === 'dir' }));
    if (fs.has('iso9660')) {
      const ids = assignIsoNames(spec, level).map(readerView);
      list.forEach((e, i) => {
        const name = last(e);
        const solo = readerView(assignIsoNames([spec[i]], level)[0]);
        const path = join(e.path);
        if (solo !== name) {
          add({
            code: 'iso-name-changed',
            severity: isoOnlyNames ? 'warning' : 'info',
            path,
            facet: 'iso9660',
            affects: [...new Set<Audience>(isoOnlyNames ? ALL : ['players', ...audiencesOf('iso9660')])],
            shownAs: ids[i],
            message: `ISO 9660 level ${level} records "${name}" as "${ids[i]}"`,
            fix: isoOnlyNames ? 'add --fs joliet,rockridge (or udf) to keep the real name' : level === 1 ? '--iso-level 3 keeps up to 30 characters for players' : undefined,
          });
        }
        if (ids[i] !== solo) {
          add({ code: 'iso-name-collision', severity: isoOnlyNames ? 'warning' : 'info', path, facet: 'iso9660', affects: isoOnlyNames ? ALL : ['players'], shownAs: ids[i], message: `"${name}" would become "${solo}" like a sibling in ${parent}; ISO 9660 gets "${ids[i]}"`, fix: `rename "${name}" so its first characters differ` });
        }
      });
    }
    if (fs.has('joliet')) {
      const ids = assignJolietNames(spec);
      list.forEach((e, i) => {
        const name = last(e);
        const solo = assignJolietNames([spec[i]])[0];
        const path = join(e.path);
        const who = audiencesOf('joliet').length ? audiencesOf('joliet') : (['windows'] as Audience[]);
        const severity: Severity = seenBy.windows === 'joliet' ? 'warning' : 'info';
        if (solo !== name) {
          const truncated = name.length > JOLIET_MAX_CHARS;
          add({
            code: truncated ? 'joliet-name-truncated' : 'joliet-name-chars',
            severity,
            path,
            facet: 'joliet',
            affects: who,
            shownAs: ids[i],
            message: truncated ? `Joliet cuts "${name}" (${name.length} UCS-2 characters) to 64: "${ids[i]}"` : `Joliet cannot store some characters of "${name}": "${ids[i]}"`,
            fix: fs.has('udf') ? undefined : `shorten name "${name}" to 64 characters or add --fs udf`,
          });
        }
        if (ids[i] !== solo) {
          add({ code: 'joliet-name-collision', severity, path, facet: 'joliet', affects: who, shownAs: ids[i], message: `"${name}" would become "${solo}" like a sibling in ${parent}; Joliet gets "${ids[i]}"`, fix: `shorten name "${name}" so the first 64 characters differ` });
        }
      });
    }
    // Case-insensitive readers see only one of "A.txt" / "a.txt".
    const ci = CASE_INSENSITIVE.filter((a) => seenBy[a] === 'udf' || seenBy[a] === 'joliet' || seenBy[a] === 'rockridge');
    if (ci.length) {
      const groups = new Map<string, PreflightEntry[]>();
      for (const e of list) {
        const k = last(e).toLowerCase();
        groups.set(k, [...(groups.get(k) ?? []), e]);
      }
      for (const g of groups.values()) {
        if (g.length < 2) continue;
        add({ code: 'case-collision', severity: 'warning', path: join(g[0].path), affects: ci, message: `${g.map((e) => `"${last(e)}"`).join(' and ')} in ${parent} differ only in case; ${ci.join(' and ')} will show one of them`, fix: 'rename one of them' });
      }
    }
  }

  // UDF revision against what each OS reads (mkudffs(8) table); readers that cannot read it fall back.
  if (fs.has('udf')) {
    const rev = revNum(udfRevision);
    const fallback = (a: Audience) => FACET_PREFERENCE[a].find((f) => f !== 'udf' && fs.has(f)) ?? 'none';
    const unreadable = UDF_READ_SUPPORT.filter((s) => revNum(s.maxRead) < rev);
    for (const s of unreadable) {
      const fb = fallback(s.audience);
      add({
        code: 'udf-revision-unreadable',
        severity: fb === 'none' ? 'error' : 'warning',
        facet: 'udf',
        affects: [s.audience],
        message: `${s.os} reads UDF up to ${s.maxRead}, not ${udfRevision}: it ${fb === 'none' ? 'cannot read the disc' : `falls back to the ${fb} tree`}`,
        fix: `--udf-revision ${s.maxRead}${fb === 'none' ? ' or add --fs joliet' : ''}`,
      });
    }
    if (revNum(PLAYER_UDF_MAX) < rev) {
      const fb = fallback('players');
      add({ code: 'udf-revision-unreadable', severity: fb === 'none' ? 'warning' : 'info', facet: 'udf', affects: ['players'], message: `standalone DVD players read UDF ${PLAYER_UDF_MAX} (DVD-Video); UDF ${udfRevision} may not load${fb !== 'none' ? `, they fall back to ${fb}` : ''}`, fix: `--udf-revision ${PLAYER_UDF_MAX} for player compatibility` });
    }
  }

  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity] || (a.path ?? '').localeCompare(b.path ?? ''));
  return { ok: counts.error === 0, counts, seenBy, findings };
}

function last(e: PreflightEntry): string {
  return e.path[e.path.length - 1];
}

/** What readers display: ";1" and a bare trailing "." dropped (ECMA-119 §7.5.1 separators). */
function readerView(id: string): string {
  return id.replace(/;\d+$/, '').replace(/\.$/, '');
}

function fmtSize(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${n} bytes`;
}
