// Human-readable renderings of DriveInfo / MediaInfo for the CLI (`drives`, `media --drive D`).
import type { DriveCapabilities, DriveInfo, MediaInfo } from '../common/model/drive';

export function formatBlocks(blocks: number): string {
  const bytes = blocks * 2048;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${blocks} blocks (${u === 0 ? v : v.toFixed(2)} ${units[u]})`;
}

/** Speeds in kB/s as "22160 kB/s (16x)", with the media family's 1x (CD 176.4, DVD 1385, BD 4495 kB/s). */
export function formatSpeed(kbps: number, profile: string): string {
  const base = profile.startsWith('CD') ? 176.4 : profile.startsWith('BD') ? 4495 : 1385;
  const x = kbps / base;
  return `${kbps} kB/s (${x >= 10 ? Math.round(x) : Math.round(x * 10) / 10}x)`;
}

export function formatMediaInfo(m: MediaInfo): string {
  if (m.status === 'no-disc') return `no disc (tray ${m.tray})`;
  const lines = [
    `profile:     ${m.profile}${m.erasable ? ' (erasable)' : ''}${m.formatted === undefined ? '' : m.formatted ? ', formatted' : ', unformatted'}`,
    `status:      ${m.status}${m.writeProtected ? ', write-protected' : ''}`,
    `sessions:    ${m.sessions}, tracks: ${m.tracks}`,
    `capacity:    ${formatBlocks(m.capacityBlocks)}`,
    `used:        ${formatBlocks(m.usedBlocks)}`,
    `free:        ${formatBlocks(m.freeBlocks)}`,
  ];
  if (m.nextWritableAddress !== undefined) lines.push(`next write:  LBA ${m.nextWritableAddress}`);
  if (m.writeSpeeds.length) lines.push(`speeds:      ${m.writeSpeeds.map((s) => formatSpeed(s, m.profile)).join(', ')}`);
  if (m.atip) lines.push(`ATIP:        ${m.atip.manufacturer}, lead-in ${m.atip.leadInStart}, last lead-out ${m.atip.leadOutStart}`);
  for (const t of m.trackList ?? []) {
    lines.push(`  track ${String(t.number).padStart(2)}  session ${t.session}  ${t.kind.padEnd(5)}  LBA ${t.startLba}  ${formatBlocks(t.sizeBlocks)}`);
  }
  return lines.join('\n');
}

const CAP_LABELS: Array<[keyof DriveCapabilities, string]> = [
  ['canWriteCdR', 'CD-R'], ['canWriteCdRw', 'CD-RW'], ['canWriteDvdMinusR', 'DVD-R'], ['canWriteDvdMinusRw', 'DVD-RW'], ['canWriteDvdMinusRDl', 'DVD-R DL'],
  ['canWriteDvdPlusR', 'DVD+R'], ['canWriteDvdPlusRw', 'DVD+RW'], ['canWriteDvdPlusRDl', 'DVD+R DL'], ['canWriteDvdRam', 'DVD-RAM'], ['canWriteBdR', 'BD-R'], ['canWriteBdRe', 'BD-RE'],
];

export function formatDriveInfo(d: DriveInfo): string {
  const writes = CAP_LABELS.filter(([k]) => d.capabilities[k] === true).map(([, l]) => l);
  const modes = [d.capabilities.canWriteCdTao && 'TAO', d.capabilities.canWriteCdSao && 'SAO', d.capabilities.canTestWrite && 'test write', d.capabilities.canBufferUnderrunFree && 'BUFE'].filter(Boolean);
  return [
    `${d.address}  ${d.vendor} ${d.model} ${d.revision}${d.sgNode ? `  (${d.sgNode})` : ''}  [${d.kind}]`,
    `  writes: ${writes.length ? writes.join(', ') : 'nothing'}${modes.length ? `  (${modes.join(', ')})` : ''}`,
  ].join('\n');
}
