// Human-readable preflight report for `glassmaster image --preflight` (the --json form is the report).
import type { PreflightReport } from './preflight';

const AUDIENCE_NAMES = { windows: 'Windows', macos: 'macOS', linux: 'Linux', players: 'Players' } as const;

export function formatPreflight(r: PreflightReport, opts: { maxPerCode?: number } = {}): string {
  const max = opts.maxPerCode ?? 20;
  const out: string[] = [];
  out.push(`Readability preflight: ${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.info} note(s)`);
  out.push(`Trees read: ${(Object.keys(AUDIENCE_NAMES) as (keyof typeof AUDIENCE_NAMES)[]).map((a) => `${AUDIENCE_NAMES[a]} → ${r.seenBy[a]}`).join(', ')}`);
  const shown = new Map<string, number>();
  for (const f of r.findings) {
    const n = (shown.get(f.code) ?? 0) + 1;
    shown.set(f.code, n);
    if (n > max) continue;
    const who = f.affects.map((a) => AUDIENCE_NAMES[a]).join('/');
    out.push(`${f.severity.toUpperCase().padEnd(7)} [${f.code}] ${f.message}${who ? ` (${who})` : ''}${f.fix ? `\n        fix: ${f.fix}` : ''}`);
  }
  for (const [code, n] of shown) if (n > max) out.push(`        … ${n - max} more [${code}]`);
  return out.join('\n') + '\n';
}
