// The verify report for people (CLI text output): one formatter for the burn's read-back and for a
// disc checked later, since both are one VerifyReport (common/model/verify.ts). Paths come from
// the disc's file system: escaped as `ls -b` does (common/display-name.ts).
import { escapeName, escapeText } from '../common/display-name';
import { rangeSectors, type VerifyReport } from '../common/model/verify';
import { formatRanges } from '../read/owners';

/** The report's summary, then what failed: layout problems, files, mismatched and unreadable sectors and their owners. */
export function formatVerifyReport(r: VerifyReport, maxFiles = 200): string {
  const lines = [escapeText(r.summary)];
  if (r.against === 'source') for (const p of r.layout.problems) lines.push(`  layout: ${escapeText(p)}`);
  else {
    for (const f of r.files.slice(0, maxFiles)) lines.push(`  ${f.status.padEnd(10)} ${escapeName(f.path)}`);
    if (r.files.length > maxFiles) lines.push(`  … and ${r.files.length - maxFiles} more`);
  }
  if (r.mismatched.length) lines.push(`Different sectors (${rangeSectors(r.mismatched)}): ${formatRanges(r.mismatched)}`);
  if (r.unreadable.length) lines.push(`Unreadable sectors (${rangeSectors(r.unreadable)}): ${formatRanges(r.unreadable)}`);
  for (const f of r.affectedFiles ?? []) lines.push(`  affects ${f.kind === 'dir' ? 'directory' : 'file'} ${escapeName(f.path)}: ${formatRanges(f.ranges)}`);
  return lines.join('\n');
}
