// CD addressing (ECMA-130 §22.3.3, Red Book): 75 sectors a second, 588 stereo 16-bit samples a
// CD-DA sector (44100 / 75), 2352 bytes a sector. Absolute time counts from LBA -150 (00:02:00 is
// LBA 0); lead-in addresses are negative and wrap (MMC-6 §4.2.3.8).

export const SECTORS_PER_SECOND = 75;
export const SAMPLES_PER_SECTOR = 588;
export const CD_DA_SECTOR_BYTES = 2352;
/** Bytes of one stereo 16-bit sample frame. */
export const BYTES_PER_SAMPLE_FRAME = 4;
export const CD_SAMPLE_RATE = 44100;
/** LBA 0 is absolute time 00:02:00: the first track's 2-second pause (Red Book). */
export const LBA_MSF_OFFSET = 150;

/** Binary-coded decimal of 0–99. */
export const bcd = (n: number): number => (Math.floor(n / 10) << 4) | n % 10;

/** The value of a BCD byte, or -1 when either nibble is not a decimal digit. */
export function fromBcd(b: number): number {
  const hi = b >> 4;
  const lo = b & 0xf;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

/** [minutes, seconds, frames] of a count of frames; negative counts wrap as lead-in addresses do. */
export function msfOf(frames: number): [number, number, number] {
  const v = frames < 0 ? frames + 450000 : frames;
  return [Math.floor(v / 4500) % 100, Math.floor(v / 75) % 60, v % 75];
}

/** "MM:SS:FF" of a count of frames (CUE sheets and cdrdao TOC files use this form for lengths). */
export function msfText(frames: number): string {
  const [m, s, f] = msfOf(frames);
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}:${String(f).padStart(2, '0')}`;
}

/** Frames of "MM:SS:FF" (minutes may exceed 99 in a CUE sheet), or undefined when malformed. */
export function parseMsfText(text: string): number | undefined {
  const m = /^(\d{1,3}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [min, sec, fr] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (sec > 59 || fr > 74) return undefined;
  return (min * 60 + sec) * 75 + fr;
}
