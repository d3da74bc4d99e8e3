// One line of burn progress for a terminal: what the drive is doing, how far, how fast, buffers, time left.
import type { BurnProgress, EraseProgress } from '../common/model/burn';
import { formatBytes } from './units';

const ACTION: Record<BurnProgress['action'], string> = {
  'checking-media': 'Checking the disc', 'waiting-for-disc': 'Waiting for a disc', formatting: 'Formatting', erasing: 'Erasing', calibrating: 'Calibrating',
  writing: 'Writing', closing: 'Closing', verifying: 'Verifying', done: 'Done',
};

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const pct = (f: number) => `${Math.floor(Math.min(1, Math.max(0, f)) * 100)}%`;

export function formatBurnProgress(p: BurnProgress): string {
  const copy = p.copies > 1 ? ` (copy ${p.copy}/${p.copies})` : '';
  if (p.action !== 'writing') {
    const f = p.fraction !== undefined && p.action !== 'done' ? ` ${pct(p.fraction)}` : '';
    return `${ACTION[p.action]}${copy}${f}${p.message ? ` — ${p.message}` : ''}  ${formatDuration(p.elapsedMs)}`;
  }
  const parts = [
    `Writing${copy} ${pct(p.totalSectors ? p.sectorsWritten / p.totalSectors : 0)}`,
    `${formatBytes(p.bytesWritten)} of ${formatBytes(p.totalBytes)}`,
    `${p.speedLabel} (${formatBytes(p.speedBytesPerSec)}/s)`,
    `buffer ${pct(p.ringFill)}${p.driveBufferFill !== undefined ? `, drive ${pct(p.driveBufferFill)}` : ''}`,
    `${formatDuration(p.elapsedMs)}${p.remainingMs !== undefined ? `, ${formatDuration(p.remainingMs)} left` : ''}`,
  ];
  return parts.join('  ');
}

export function formatEraseProgress(p: EraseProgress): string {
  return `${ACTION[p.action]} ${p.action === 'done' ? '' : pct(p.fraction)}  ${formatDuration(p.elapsedMs)}`.trimEnd();
}
