// Sizes in the words the user reads, one convention for every shell: binary multiples with their
// IEC names (KiB, MiB, GiB). The drive panel, the burn dialog and the finished burn's sentence
// (written by the main process) appear side by side, so they must not say "41 MB" and "38.8 MiB"
// of the same disc.

/** "512 B", "38.8 MiB", "4.38 GiB": three significant digits. */
export function formatBytes(bytes: number): string {
  if (Math.round(bytes) < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  // Rounded before the unit is chosen: 1,048,575 bytes is "1.00 MiB", not "1024 KiB".
  const shown = (x: number) => Number(x.toFixed(x >= 99.95 ? 0 : x >= 9.995 ? 1 : 2));
  while (shown(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const r = shown(v);
  return `${r.toFixed(r >= 100 ? 0 : r >= 10 ? 1 : 2)} ${units[i]}`;
}
