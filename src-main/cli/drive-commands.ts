// Drive commands: drives, media, eject, load, virtual create|insert|eject.
import { Option, type Command } from 'commander';
import type { Services } from '../app/services';
import { DriveAddress } from '../common/ipc/contract';
import { InvalidInputError } from '../common/errors';
import { MEDIA_TYPE_NAMES, type DriveInfo, type MediaInfo, type MediaTypeName } from '../common/model/drive';
import { formatDriveInfo, formatMediaInfo } from '../drive/format';

/** The app services, loaded when a drive command runs (not at every start of the CLI). */
async function openServices(watch: boolean): Promise<Services> {
  const { createServices } = await import('../app/services');
  return createServices({ shell: 'cli', watch });
}

async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await openServices(false);
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

function parseAddress(v: string): string {
  if (!DriveAddress.safeParse(v).success) throw new InvalidInputError(`'${v}' is not a drive address (/dev/srN, iscsi://HOST[:PORT]/IQN/LUN, virtual:NAME)`);
  return v;
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const mediaOption = () => new Option('--media <type>', 'media type').choices(MEDIA_TYPE_NAMES as string[]);

function formatDrives(drives: DriveInfo[]): string {
  return drives.length === 0 ? 'No drives found.' : drives.map(formatDriveInfo).join('\n');
}

function formatMedia(address: string, media: MediaInfo): string {
  return `${address}\n${formatMediaInfo(media).replace(/^/gm, '  ')}`;
}

export function registerDriveCommands(program: Command): void {
  program
    .command('drives')
    .description('list drives: local (SG_IO/SPTI), iSCSI and virtual recorders')
    .option('--json', 'print JSON')
    .option('--watch', 'keep running and print drive and media changes')
    .option('--add-iscsi <address>', 'remember an iSCSI drive (iscsi://[user[:secret]@]host[:port]/IQN/LUN) in config.json; the app and `serve` may then use it')
    .option('--remove-iscsi <address>', 'forget an iSCSI drive')
    .action(async (opts: { json?: boolean; watch?: boolean; addIscsi?: string; removeIscsi?: string }) => {
      if (opts.addIscsi !== undefined || opts.removeIscsi !== undefined) {
        // Only the host's user can add iSCSI drives: the renderer and browser clients may name
        // only these (src-main/ipc/README.md, "iSCSI rule").
        const { updateIscsiDrives } = await import('../app/config');
        const { defaultStateDir } = await import('../app/services');
        const { redactAddress } = await import('../transport/iscsi/address');
        const config = await updateIscsiDrives(defaultStateDir(), { add: opts.addIscsi, remove: opts.removeIscsi });
        out(config.iscsiDrives.length === 0 ? 'No iSCSI drives configured.' : config.iscsiDrives.map(redactAddress).join('\n'));
        return;
      }
      if (!opts.watch) {
        const drives = await withServices((s) => s.drives.list());
        out(opts.json ? JSON.stringify(drives, null, 2) : formatDrives(drives));
        return;
      }
      const services = await openServices(true);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      const initial = await services.drives.list();
      out(opts.json ? JSON.stringify({ type: 'drives', drives: initial }) : formatDrives(initial));
      services.hub.subscribe((event, payload) => {
        if (opts.json) out(JSON.stringify({ type: event === 'devices.onDidChange' ? 'drives' : 'media', ...(payload as object) }));
        else if (event === 'devices.onDidChange') out(formatDrives((payload as { drives: DriveInfo[] }).drives));
        else out(formatMedia((payload as { address: string }).address, (payload as { media: MediaInfo }).media));
      });
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      await services.close();
    });

  program
    .command('media')
    .description('show the disc in a drive')
    .requiredOption('--drive <address>', 'drive address', parseAddress)
    .option('--json', 'print JSON')
    .action(async (opts: { drive: string; json?: boolean }) => {
      const media = await withServices((s) => s.drives.media(opts.drive));
      out(opts.json ? JSON.stringify(media, null, 2) : formatMedia(opts.drive, media));
    });

  for (const [name, what] of [['eject', 'open the tray'], ['load', 'close the tray']] as const) {
    program
      .command(name)
      .description(what)
      .requiredOption('--drive <address>', 'drive address', parseAddress)
      .action(async (opts: { drive: string }) => {
        await withServices((s) => (name === 'eject' ? s.drives.eject(opts.drive) : s.drives.load(opts.drive)));
      });
  }

  const virtual = program.command('virtual').description('manage virtual recorders (software drives backed by files)');
  virtual
    .command('create')
    .argument('<name>', 'recorder name')
    .addOption(mediaOption().makeOptionMandatory())
    .option('--unlimited', 'write as fast as the host allows instead of at the selected speed (tests, benchmarks)')
    .description('create a virtual recorder with a blank disc; it writes at the burn\'s selected speed, as a real drive does')
    .action(async (name: string, opts: { media: MediaTypeName; unlimited?: boolean }) => {
      await withServices((s) => s.virtual.create(name, { media: opts.media, pacing: opts.unlimited ? 'unlimited' : 'paced' }));
      out(`virtual:${name}`);
    });
  virtual
    .command('pacing')
    .argument('<name>', 'recorder name')
    .argument('[mode]', 'paced (at the selected write speed) or unlimited; without it, print the current mode')
    .description('how fast a virtual recorder writes: paced like a real drive, or unlimited')
    .action(async (name: string, mode: string | undefined) => {
      if (mode !== undefined && mode !== 'paced' && mode !== 'unlimited') throw new InvalidInputError(`pacing is "paced" or "unlimited", not "${mode}"`, { mode });
      const now = await withServices(async (s) => {
        if (mode) await s.virtual.savePacing(name, mode);
        return s.virtual.pacingOf(name);
      });
      out(`virtual:${name}: ${now}`);
    });
  virtual
    .command('insert')
    .argument('<name>', 'recorder name')
    .addOption(mediaOption())
    .description('insert a new blank disc of --media, or without --media close the tray on the disc it holds')
    .action(async (name: string, opts: { media?: MediaTypeName }) => {
      await withServices((s) => (opts.media ? s.virtual.insert(name, opts.media) : s.virtual.load(name)));
    });
  virtual
    .command('eject')
    .argument('<name>', 'recorder name')
    .description('open the tray (the disc and what was burned on it are kept)')
    .action(async (name: string) => {
      await withServices((s) => s.virtual.eject(name));
    });
}
