// Burning audio from the CLI: `glassmaster audio --drive D [--mode tao|sao|raw96] … TRACK…` and
// `glassmaster burn --drive D --cue FILE.cue` / `--toc FILE.toc`. Both decode into a temporary work folder (removed
// afterwards, whatever happens), build an AudioBurnPlan and hand it to the AudioBurner
// (burn/audio-burn.ts) through the shared DriveService, so leases and busy drives behave as in
// every other burn. Progress: a line on stderr, or JSON lines on stdout with --json, the last one
// the result. Ctrl-C / SIGTERM / SIGHUP cancel (stop-signals.ts; the burner leaves the drive unlocked and says what is on the disc).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { GlassmasterError } from '../common/errors';
import type { BurnProgress } from '../common/model/burn';
import { msfText } from '../cd/msf';
import { formatBurnProgress } from '../burn/progress-text';
import { progressLines } from './progress-lines';
import type { AudioBurnOptions, AudioBurnResult } from '../burn/audio-burn';
import type { AudioBurnPlan } from '../audio/audio-plan';
import type { AudioDecoderPool } from '../audio/audio-decoder-pool';
import { stopOnSignals } from './stop-signals';

export interface AudioBurnCliOptions {
  drive: string;
  mode?: 'auto' | 'tao' | 'sao' | 'raw96';
  simulate?: boolean;
  speed?: string;
  verify?: 'full' | 'none';
  close?: boolean;
  eject?: boolean;
  json?: boolean;
}

/** The burn options `audio --drive` and `burn --cue` share (besides --drive and --json, which both commands have). */
export function addAudioBurnOptions(cmd: Command, opts: { skipCommon?: boolean } = {}): Command {
  cmd.addOption(new Option('--mode <mode>', 'audio write mode: tao, sao or raw96 (default: the best the drive supports, and why is printed)').choices(['auto', 'tao', 'sao', 'raw96']));
  if (!opts.skipCommon) {
    cmd.option('--simulate', 'test write: the laser stays off');
    cmd.option('--eject', 'open the tray when done');
  }
  return cmd;
}

export function speedX(v: string | undefined): number | undefined {
  if (v === undefined || v === 'max') return undefined;
  const n = Number(v.replace(/x$/i, ''));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Prepares the plan in a temporary folder, burns it, prints progress and the result. */
export async function burnAudioFromCli(prepare: (workDir: string, pool: AudioDecoderPool, signal: AbortSignal) => Promise<AudioBurnPlan>, o: AudioBurnCliOptions): Promise<AudioBurnResult> {
  const { createServices } = await import('../app/services');
  const { AudioDecoderPool } = await import('../audio/audio-decoder-pool');
  const { AudioBurner } = await import('../burn/audio-burn');
  const ac = stopOnSignals();
  const lines = progressLines<BurnProgress>({ stage: (p) => p.action, format: formatBurnProgress });
  const onProgress = (p: BurnProgress) => {
    if (o.json) return void process.stdout.write(`${JSON.stringify({ type: 'progress', ...p })}\n`);
    lines.update(p);
  };
  const workDir = await mkdtemp(join(tmpdir(), 'gm-audio-burn-'));
  const pool = new AudioDecoderPool();
  const services = await createServices({ shell: 'cli', watch: false });
  try {
    const plan = await prepare(workDir, pool, ac.signal);
    const burner = new AudioBurner({ drives: services.drives });
    const options: AudioBurnOptions = { mode: o.mode ?? 'auto', simulate: o.simulate, speedX: speedX(o.speed), verify: o.verify, close: o.close ? 'session' : 'disc', eject: o.eject };
    const r = await burner.burn(o.drive, plan, options, { signal: ac.signal, onProgress }).finally(() => lines.end());
    if (o.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: true, result: r })}\n`);
    else {
      process.stdout.write(`${r.reason}\n`);
      for (const t of r.tracks) process.stdout.write(`${String(t.number).padStart(2)}  ${msfText(t.startLba + 150)}  ${msfText(t.sectors)}\n`);
      process.stdout.write(`${r.discState}${r.verifiedSectors ? ` Verified: ${r.verifiedSectors} sectors read back and equal.` : ''}\n`);
    }
    return r;
  } catch (e) {
    if (o.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: false, error: GlassmasterError.from(e).toJSON() })}\n`);
    throw e;
  } finally {
    ac.dispose();
    await pool.close().catch(() => undefined);
    await services.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** `burn --drive D --cue FILE.cue`: a user CUE (BINARY, or WAVE/FLAC/… files) authored and burned; a data CD's BIN/CUE goes to cue-data-burn-command.ts. */
export async function burnCueFromCli(cuePath: string, o: AudioBurnCliOptions): Promise<void> {
  const { cueBurnPlan, readCueSheet } = await import('../audio/cue-plan');
  const { isDataCue } = await import('../burn/cue-data-burn');
  if (isDataCue(await readCueSheet(cuePath))) {
    const { burnCueDataFromCli } = await import('./cue-data-burn-command');
    return burnCueDataFromCli(cuePath, o);
  }
  await burnAudioFromCli((workDir, pool, signal) => cueBurnPlan(cuePath, workDir, { pool, signal }), o);
}

/** `burn --drive D --toc FILE.toc`: a cdrdao TOC (raw or WAVE/FLAC/… FILEs) prepared and burned. */
export async function burnTocFromCli(tocPath: string, o: AudioBurnCliOptions): Promise<void> {
  const { tocBurnPlan } = await import('../audio/toc-plan');
  await burnAudioFromCli((workDir, pool, signal) => tocBurnPlan(tocPath, workDir, { pool, signal }), o);
}
