// Names from media (an image, a disc) printed on a terminal: a name holding ESC or a newline could
// rewrite the screen or forge listing lines. Every CLI listing of such names goes through here.

const C_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };

/**
 * Escapes a name as GNU `ls -b` does: C escapes (\n, \t …) and backslash doubled, other C0
 * controls, DEL and C1 controls as 3-digit octal of their code point (ESC → \033). Beyond ls, the
 * invisible characters that reorder or break a line (bidi embeddings, overrides and isolates,
 * U+2028/2029) are written as \u{…}. Spaces stay as they are (the listing does not split on them).
 */
export function escapeName(name: string): string {
  return name.replace(/[\x00-\x1f\x7f-\x9f\\\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => {
    const known = C_ESCAPES[c];
    if (known) return known;
    const cp = c.codePointAt(0)!;
    return cp <= 0x9f ? `\\${cp.toString(8).padStart(3, '0')}` : `\\u{${cp.toString(16)}}`;
  });
}

/**
 * For a line of text that quotes names (warnings, error messages): the same escapes for control
 * and invisible line-breaking characters, but a backslash stays one (messages already quote names
 * with JSON.stringify, whose escapes must read as written).
 */
export function escapeText(text: string): string {
  return /[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/.test(text) ? text.replace(/[^\\]+/g, (run) => escapeName(run)) : text;
}
