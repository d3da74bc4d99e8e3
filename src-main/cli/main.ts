// The `glassmaster` command line: the same services as the app, for scripts and for people who
// prefer a terminal. Listing commands take --json; exit codes are in common/exit-codes.ts.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { packageInfo } from '../app/package-info';
import { ExitCode } from '../common/exit-codes';
import { registerDriveCommands } from './drive-commands';
import { registerImageCommand } from './image-command';
import { registerBurnCommands } from './burn-commands';
import { registerDiscCommands } from './disc-commands';
import { registerAudioCommand } from './audio-command';
import { registerCopyCommand } from './copy-command';
import { reportCommandError } from './command-error';

export function buildProgram(): Command {
  const program = new Command('glassmaster')
    .description('Master and burn CD, DVD and Blu-ray discs.')
    .version(packageInfo().version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the app in a browser: serve the UI on 127.0.0.1 with a token-protected WebSocket')
    .option('-p, --port <n>', 'port to listen on (default: a free port)', parsePort)
    .option('--open', 'open the system browser')
    .option('--iscsi <address>', 'an iSCSI drive the browser may use for this run (repeatable; see drives --add-iscsi)', collectServeOption, [])
    .option('--allow-host <name>', 'a host name besides 127.0.0.1/localhost that requests may name, e.g. an /etc/hosts alias (repeatable)', collectServeOption, [])
    .action(async (opts: { port?: number; open?: boolean; iscsi: string[]; allowHost: string[] }) => {
      // Loaded when used: the app services and the WebSocket server would slow every other
      // command's start (`glassmaster image` needs neither).
      const { serve } = await import('./serve');
      const running = await serve({ port: opts.port, open: opts.open, iscsiDrives: opts.iscsi, allowedHosts: opts.allowHost });
      await new Promise<void>((resolve) => {
        const stop = () => void running.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  registerDriveCommands(program);
  registerImageCommand(program);
  registerBurnCommands(program);
  registerDiscCommands(program);
  registerAudioCommand(program);
  registerCopyCommand(program);
  return program;
}

function collectServeOption(v: string, previous: string[]): string[] {
  return [...previous, v];
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? ExitCode.OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportCommandError(err);
  }
}

// Run when executed (out/main/cli.js, the bin link, or the entry's source or this one under tsx);
// not when imported otherwise.
if (process.argv[1] && /(^|[\\/])(cli\.js|glassmaster|main\.ts|cli-entry\.ts)$/.test(process.argv[1])) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
