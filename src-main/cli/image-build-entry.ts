// `glassmaster image … -o OUT SRC…` without the rest of the command line. The full program
// (cli/main.ts) registers every command, and loading it (commander's tree, the drive, burn, audio
// and copy commands and what they import) held the build back ~0.13 s after the early-started
// image worker was ready (measured on 50,000 files: the worker waited from 0.31 s to 0.44 s for
// its request). A build parses the same options (image-args.ts) and runs the same
// runImageCommand as the `image` command's action, with the same signals; anything it cannot
// parse goes back to the full program, so every usage error and --help reads exactly as before.
import { ExitCode } from '../common/exit-codes';
import { parseImageArgs, type ImageCommandArgs } from './image-args';
import { runImageCommand } from './image-build';
import { stopOnSignals } from './stop-signals';
import { reportCommandError } from './command-error';

/**
 * Runs an image build from the executable's arguments (`image` first); resolves the exit code, or
 * undefined when the arguments are not a build this path takes (the full program handles them).
 */
export async function runImageBuildOnly(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] !== 'image') return undefined;
  let args: ImageCommandArgs;
  try {
    args = parseImageArgs(argv.slice(1));
  } catch {
    return undefined;
  }
  // As the `image` command's action: SIGINT, SIGTERM and SIGHUP cancel alike.
  const stop = stopOnSignals();
  try {
    const code = await runImageCommand(args, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
    return stop.signal.aborted ? ExitCode.CANCELLED : code;
  } catch (err) {
    // What runImageCommand does not report itself (a failure closing its engine) ends as the full program ends a command.
    return reportCommandError(err);
  } finally {
    stop.dispose();
  }
}
