// `glassmaster image -o OUT SRC…`: builds through the one image-output service (ImageEngine, in
// worker threads), exactly as the app does; returns an exit code (common/exit-codes.ts: 0 ok,
// 2 usage or bad input or an unsafe output, 5 bad image, 130 cancelled …). A file is written as
// OUT.<random>.partial and renamed only when complete, so a failed or cancelled build never leaves a
// valid-looking image; what OUT may be at all is image/output-file.ts's to decide.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { escapeText } from '../common/display-name';
import { GlassmasterError, isCancelledError } from '../common/errors';
import { exitCodeFor, ExitCode } from '../common/exit-codes';
import { ImageEngine, type ImageWorkerProgress } from '../image/image-engine';
import { optionNotes, type ImageRequest } from '../image/image-spec';
import { imageWorkerScript } from '../app/image-worker-script';
import { parseImageArgs, type ImageCommandArgs } from './image-args';
import { takeEarlyImageEngine } from './early-image-engine';

export interface ImageCommandIo {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  signal?: AbortSignal;
  /** The engine to build with (default: one of its own — the one the entry started early, if any — closed at the end). */
  engine?: ImageEngine;
}

/** Sectors per read when streaming to standard output (1 MiB). */
const STDOUT_READ_SECTORS = 512;

export async function runImageCommand(argv: string[] | ImageCommandArgs, io: ImageCommandIo): Promise<number> {
  let a: ImageCommandArgs;
  try {
    a = Array.isArray(argv) ? parseImageArgs(argv) : argv;
  } catch (err) {
    io.stderr.write(`glassmaster image: ${(err as Error).message}\n(glassmaster image --help lists every option)\n`);
    return ExitCode.USAGE;
  }
  const say = (kind: 'note' | 'progress' | 'done', text: string, json: object) => {
    if (a.json) io.stderr.write(`${JSON.stringify({ type: kind, ...json })}\n`);
    else if (kind === 'note') io.stderr.write(`glassmaster image: note: ${text}\n`);
    else if (io.stderr.isTTY && !a.quiet) io.stderr.write(kind === 'done' ? `\r\x1b[K${text}\n` : `\r\x1b[K${text}`);
  };
  for (const n of optionNotes(a.options)) say('note', n, { message: n });
  const req: ImageRequest = { options: a.options, sources: a.sources };
  const engine = io.engine ?? takeEarlyImageEngine() ?? new ImageEngine({ script: imageWorkerScript() });
  const started = Date.now();
  let lastLine = 0;
  const onProgress = (p: ImageWorkerProgress) => {
    const now = Date.now();
    if (p.phase !== 'planned' && now - lastLine < (a.json ? 500 : 100)) return;
    lastLine = now;
    if (p.phase === 'scanning') say('progress', `scanning: ${p.files} files, ${(p.bytes / 1e6).toFixed(0)} MB`, p);
    else if (p.phase === 'planned') say('progress', `planned: ${p.totalSectors} sectors (${(p.totalSectors * 2048 / 1e6).toFixed(1)} MB)`, p);
    else if (p.phase === 'writing') say('progress', `writing: ${(p.bytesWritten / 1e6).toFixed(0)} of ${(p.totalBytes / 1e6).toFixed(0)} MB (${Math.floor((100 * p.bytesWritten) / Math.max(1, p.totalBytes))}%)`, p);
  };
  try {
    if (a.output === '-') {
      const src = await engine.source(req, { signal: io.signal, onProgress });
      for (;;) {
        const c = await src.read(STDOUT_READ_SECTORS, io.signal);
        if (c === null) break;
        if (!io.stdout.write(c)) await once(io.stdout, 'drain');
      }
      say('done', `wrote ${src.totalSectors} sectors to standard output in ${((Date.now() - started) / 1000).toFixed(1)} s`, { totalSectors: src.totalSectors });
    } else {
      const { bytes, totalSectors } = await engine.writeFile(req, a.output, { signal: io.signal, onProgress, toDevice: a.toDevice, existing: a.force ? 'replace' : 'refuse', existingHint: 'add --force to replace it' });
      say('done', `wrote ${a.output}: ${totalSectors} sectors (${(bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`, { path: a.output, bytes, totalSectors });
    }
    return ExitCode.OK;
  } catch (err) {
    const e = GlassmasterError.from(err);
    if (io.stderr.isTTY && !a.json) io.stderr.write('\r\x1b[K');
    if (a.json) io.stderr.write(`${JSON.stringify({ type: 'error', code: e.code, message: e.message })}\n`);
    io.stderr.write(isCancelledError(e) || io.signal?.aborted ? 'glassmaster image: cancelled\n' : `glassmaster image: ${escapeText(e.message)}\n`);
    return io.signal?.aborted ? ExitCode.CANCELLED : exitCodeFor(e.code);
  } finally {
    if (!io.engine) await engine.close();
  }
}
