// How a command that throws ends, whichever way it ran (cli/main.ts, or an image build through
// image-build-entry.ts): one line on stderr and the exit code of its kind (common/exit-codes.ts);
// an internal fault adds its stack.
import { GlassmasterError } from '../common/errors';
import { exitCodeFor } from '../common/exit-codes';
import { escapeText } from '../common/display-name';

export function reportCommandError(err: unknown): number {
  const e = GlassmasterError.from(err);
  process.stderr.write(`glassmaster: ${escapeText(e.message)}\n`); // messages may quote names from a disc or image
  if (e.code === 'INTERNAL' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return exitCodeFor(e.code);
}
