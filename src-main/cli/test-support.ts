// For the CLI tests: `glassmaster` run as a user runs it, a separate process (node + tsx on the
// executable's entry, cli-entry.ts: an image build takes its own path there, the rest cli/main.ts),
// so a test sees exactly its stdout, stderr and exit code.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI entry point, for tests that spawn it themselves (e.g. to answer a prompt on stdin). */
export const cliMain = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `glassmaster ...args` to its end. `stateDir` becomes GLASSMASTER_STATE_DIR (virtual drives and
 * settings live there); without it the process inherits this one's environment unchanged.
 */
export function runGlassmaster(args: string[], opts: { stateDir?: string } = {}): Promise<CliRun> {
  const options = opts.stateDir === undefined ? {} : { env: { ...process.env, GLASSMASTER_STATE_DIR: opts.stateDir } };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cliMain, ...args], options, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
