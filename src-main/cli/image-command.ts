// `glassmaster image`: build (and --preflight) an image, list an image's file systems and tree
// (--list), or inspect its boot records (--inspect). The image options have their own parser
// (image/cli-image.ts), so commander passes the arguments through untouched.
import type { Command } from 'commander';
import { runImageCommand } from '../image/cli-image';
import { ExitCode } from './exit-codes';

export function registerImageCommand(program: Command): void {
  program
    .command('image')
    .description('build a disc image (ISO 9660/Joliet/Rock Ridge/UDF/El Torito), or --list/--inspect one')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      try {
        const code = await runImageCommand(args, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
        process.exitCode = stop.signal.aborted ? ExitCode.CANCELLED : code;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
