// iSCSI text key=value encoding (RFC 7143 §6.1) and the CHAP arithmetic (RFC 7143 §12.1.3,
// RFC 1994 §4.1).
import { createHash } from 'node:crypto';
import { protocolError } from './pdu';

export type TextPairs = Array<[key: string, value: string]>;

/** §6.1: each pair is `key=value` followed by one NUL; UTF-8. */
export function encodeText(pairs: TextPairs): Buffer {
  for (const [k] of pairs) {
    // §6.1: key names are at most 63 bytes of letters, digits, '.', '-', '+', '@', '_'.
    if (!/^[A-Za-z0-9.\-+@_]{1,63}$/.test(k)) throw protocolError(`invalid text key "${k}"`);
  }
  return Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}

/** Decodes a (complete, reassembled) text data segment. Trailing NUL padding is tolerated. */
export function decodeText(data: Buffer): TextPairs {
  const out: TextPairs = [];
  for (const item of data.toString('utf8').split('\0')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw protocolError(`malformed text pair "${item.slice(0, 80)}"`);
    out.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  return out;
}

/** §6.1 binary-value: `0x` hex or `0b` base64. */
export function decodeBinary(value: string): Buffer {
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) {
    const hex = value.slice(2);
    return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  }
  if (/^0[bB][A-Za-z0-9+/=]+$/.test(value)) return Buffer.from(value.slice(2), 'base64');
  throw protocolError(`malformed binary value "${value.slice(0, 40)}"`);
}

export function encodeBinary(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** RFC 1994 §4.1: Response = MD5(Identifier || secret || Challenge); CHAP_A=5 selects MD5. */
export function chapMd5Response(identifier: number, secret: string | Uint8Array, challenge: Uint8Array): Buffer {
  return createHash('md5')
    .update(Uint8Array.of(identifier & 0xff))
    .update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .update(challenge)
    .digest();
}

/** Last value of a key (a target repeats a key only for TargetAddress lists). */
export function getKey(pairs: TextPairs, key: string): string | undefined {
  let v: string | undefined;
  for (const [k, val] of pairs) if (k === key) v = val;
  return v;
}
