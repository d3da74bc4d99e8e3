// `glassmaster audio -o OUT.cue TRACK…`: author an audio CD image (OUT.bin + OUT.cue + OUT.toc +
// OUT.cdt); `glassmaster audio --drive D [--mode tao|sao|raw96] TRACK…` burns the same project
// (audio-burn-command.ts, burn/audio-burn.ts). Progress goes to stderr (a line per track, a percentage when writing), `--json` prints JSON
// lines (progress events, then the result) on stdout.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { InvalidInputError } from '../common/errors';
import { msfText } from '../cd/msf';
import type { AudioProjectSpec, AuthorProgress } from '../audio/author';
import { DriveAddress } from '../common/ipc/contract';
import { stopOnSignals } from './stop-signals';
import { addAudioBurnOptions, burnAudioFromCli } from './audio-burn-command';

const fields = { title: z.string().optional(), performer: z.string().optional(), songwriter: z.string().optional(), composer: z.string().optional(), arranger: z.string().optional(), message: z.string().optional() };

/** The --cdtext JSON file: album fields, per-track fields (in track order), optional Japanese block. */
const CdTextJson = z
  .object({
    album: z.object({ ...fields, discId: z.string().optional(), genre: z.object({ code: z.number().int(), text: z.string().optional() }).strict().optional(), upcEan: z.string().optional() }).strict().optional(),
    tracks: z.array(z.object(fields).strict()).optional(),
    japanese: z.object({ album: z.object(fields).strict(), tracks: z.array(z.object(fields).strict()) }).strict().optional(),
  })
  .strict();

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('seconds ≥ 0 (e.g. 2 or 1.5)');
  return n;
}

function collectIsrc(v: string, prev: Map<number, string>): Map<number, string> {
  const m = /^(\d{1,2}):([A-Za-z0-9-]+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('N:CODE, e.g. 1:USRC17607839');
  prev.set(Number(m[1]), m[2].replace(/-/g, '').toUpperCase());
  return prev;
}

interface AudioOpts {
  output?: string;
  drive?: string;
  mode?: 'auto' | 'tao' | 'sao' | 'raw96';
  simulate?: boolean;
  speed?: string;
  verify: 'full' | 'none';
  close?: boolean;
  eject?: boolean;
  gapless?: boolean;
  pregap?: number;
  cdtext?: string;
  title?: string;
  performer?: string;
  mcn?: string;
  isrc: Map<number, string>;
  hidden?: string;
  disc: string;
  json?: boolean;
}

function driveAddress(v: string): string {
  if (!DriveAddress.safeParse(v).success) throw new InvalidArgumentError(`'${v}' is not a drive address (/dev/srN, iscsi://HOST[:PORT]/IQN/LUN, virtual:NAME)`);
  return v;
}

export function registerAudioCommand(program: Command): void {
  const cmd = program
    .command('audio')
    .description('author an audio CD image (CUE/BIN + cdrdao TOC + CD-TEXT) or burn an audio CD from WAV, AIFF, FLAC, MP3, Ogg Vorbis or Opus files')
    .argument('<tracks...>', 'audio files, in track order')
    .addOption(new Option('-o, --output <OUT.cue>', 'the CUE sheet to write (OUT.bin, OUT.toc and OUT.cdt go next to it)').conflicts('drive'))
    .option('--drive <address>', 'burn to this drive instead of writing an image', driveAddress)
    .option('--speed <speed>', 'write speed: max (default) or a multiple like 16x')
    .addOption(new Option('--verify <level>', 'after burning: full (default, every sector read back) or none').choices(['full', 'none']).default('full'))
    .option('--close', 'leave the disc appendable: then `burn --multisession DIR` adds a data session (Enhanced CD / CD-Extra)')
    .option('--gapless', 'no pause between tracks: the audio plays continuously (track 1 keeps 2 s)')
    .option('--pregap <seconds>', 'pause before each track after the first (default 2)', seconds)
    .option('--cdtext <file.json>', 'CD-TEXT: {"album": {"title", "performer", …}, "tracks": [{"title", …}], "japanese": {…}}')
    .option('--title <text>', 'album title (CD-TEXT)')
    .option('--performer <text>', 'album performer (CD-TEXT)')
    .option('--mcn <digits>', 'media catalogue number (13-digit UPC/EAN)')
    .option('--isrc <N:CODE>', 'ISRC of track N (repeatable)', collectIsrc, new Map<number, string>())
    .option('--hidden <file>', 'hidden track one audio, played in track 1\'s pregap')
    .addOption(new Option('--disc <minutes>', 'refuse a program longer than this disc').choices(['74', '80', '90', '99']).default('80'))
    .option('--json', 'JSON lines on stdout: progress events, then the result')
    .addHelpText('after', '\nExamples:\n  glassmaster audio -o album.cue --gapless --title "Live" --performer "Band" 01-intro.flac 02-song.mp3\n  glassmaster audio --drive /dev/sr0 --gapless --mode raw96 --title "Live" 01-intro.flac 02-song.mp3');
  addAudioBurnOptions(cmd);
  cmd.action(async (tracks: string[], opts: AudioOpts) => {
      const { AudioDecoderPool } = await import('../audio/audio-decoder-pool');
      const { authorAudioImage } = await import('../audio/author');
      let text: z.infer<typeof CdTextJson> = {};
      if (opts.cdtext) {
        let raw: unknown;
        try {
          raw = JSON.parse(await readFile(opts.cdtext, 'utf8'));
        } catch (err) {
          throw new InvalidInputError(`--cdtext ${opts.cdtext}: ${(err as Error).message}`, { path: opts.cdtext });
        }
        const parsed = CdTextJson.safeParse(raw);
        if (!parsed.success) throw new InvalidInputError(`--cdtext ${opts.cdtext}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`, { path: opts.cdtext });
        text = parsed.data;
      }
      for (const n of opts.isrc.keys()) if (n < 1 || n > tracks.length) throw new InvalidInputError(`--isrc ${n}: there are ${tracks.length} tracks`);
      const spec: AudioProjectSpec = {
        tracks: tracks.map((path, i) => ({ path, ...(text.tracks?.[i] ?? {}), isrc: opts.isrc.get(i + 1) })),
        gapless: opts.gapless,
        pregapSeconds: opts.pregap,
        hiddenTrack: opts.hidden,
        mcn: opts.mcn,
        album: { ...text.album, ...(opts.title !== undefined ? { title: opts.title } : {}), ...(opts.performer !== undefined ? { performer: opts.performer } : {}) },
        japanese: text.japanese,
        // With a drive, the burner checks the program against the loaded disc's ATIP lead-out instead.
        discMinutes: opts.drive ? 99 : Number(opts.disc),
      };
      if (opts.drive) {
        const { prepareAudioDisc } = await import('../audio/author');
        await burnAudioFromCli(async (workDir, pool, signal) => (await prepareAudioDisc(spec, workDir, { pool, signal })).plan, {
          drive: opts.drive, mode: opts.mode, simulate: opts.simulate, speed: opts.speed, verify: opts.verify, close: opts.close, eject: opts.eject, json: opts.json,
        });
        return;
      }
      if (!opts.output) throw new InvalidInputError('say where the audio CD goes: -o OUT.cue (an image) or --drive D (burn)');
      const output = opts.output;
      const tty = process.stderr.isTTY;
      let lastPct = -1;
      const onProgress = (p: AuthorProgress) => {
        if (opts.json) return void process.stdout.write(JSON.stringify({ type: 'progress', ...p }) + '\n');
        if (p.phase === 'decoded') process.stderr.write(`decoded ${p.track}/${p.tracks}: ${p.result.format}, ${(p.result.samples / 44100).toFixed(2)} s${p.result.resampled ? `, resampled from ${p.result.sourceRate} Hz` : ''}\n`);
        if (p.phase === 'write') {
          const pct = Math.floor((100 * p.bytesWritten) / p.totalBytes);
          if (pct !== lastPct && (tty || pct % 25 === 0)) process.stderr.write(tty ? `\rwriting ${pct}%` : `writing ${pct}%\n`);
          lastPct = pct;
        }
      };
      // SIGINT, SIGTERM and SIGHUP cancel alike: the partials are removed (cli/stop-signals.ts).
      const ac = stopOnSignals();
      const pool = new AudioDecoderPool();
      try {
        const r = await authorAudioImage(spec, output, { pool, signal: ac.signal, onProgress });
        if (tty && !opts.json) process.stderr.write('\n');
        const summary = {
          type: 'result',
          files: r.files,
          leadOut: r.layout.leadOut,
          length: msfText(r.layout.leadOut + 150),
          cdTextPacks: r.cdTextPacks,
          tracks: r.layout.tracks.map((t, i) => ({ number: t.number, start: t.start, pregapStart: t.pregapStart, end: t.end, title: r.text?.tracks[i]?.title, isrc: t.isrc, samples: t.samples })),
        };
        if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else {
          for (const t of summary.tracks) process.stdout.write(`${String(t.number).padStart(2)}  ${msfText(t.start)}  ${msfText(t.end - t.start)}  ${t.title ?? ''}\n`);
          process.stdout.write(`wrote ${r.files.cue} (${summary.length}, ${r.layout.tracks.length} tracks)\n`);
        }
      } finally {
        ac.dispose();
        await pool.close();
      }
    });
}
