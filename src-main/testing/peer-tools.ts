// Peer tools (xorriso, tgtd, qemu, chromium …) are what our tests are judged against. In CI a
// missing tool is a failure, never a silent skip; on a developer machine the test skips and says why.
import { execFileSync } from 'node:child_process';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function hasTool(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${JSON.stringify(cmd)}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when every tool is present. When one is missing: throws in CI; elsewhere prints the
 * reason and returns false, so the caller can `describe.skipIf(!ok)`.
 */
export function requireTools(...cmds: string[]): boolean {
  const missing = cmds.filter((c) => !hasTool(c));
  if (missing.length === 0) return true;
  const msg = `missing peer tool(s): ${missing.join(', ')} — install with: apt-get install ${missing.join(' ')} (see README)`;
  if (inCI) throw new Error(`[CI] ${msg}`);
  console.warn(`[skip] ${msg}`);
  return false;
}
