/**
 * Bytes as base64 for a JSON message (a dropped file's chunk on its way to main's stash). Built in
 * 32 KiB slices: String.fromCharCode with a whole chunk's bytes as arguments would overflow the stack.
 */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
