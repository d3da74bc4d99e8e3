// Errors as the UI shows them: a sentence, with the technical detail (code, sense, path) one click
// away; a cancel is not an error.
import type { GlassmasterErrorJSON } from '../../../src-main/common/errors';

export interface UiError {
  message: string;
  code: GlassmasterErrorJSON['code'] | 'UNKNOWN';
  detail?: string;
}

export function isCancel(err: unknown): boolean {
  return (err as { code?: string })?.code === 'CANCELLED' || (err as Error)?.name === 'AbortError';
}

/** "cannot read /x: permission denied" → "Cannot read /x: permission denied." */
export function sentence(text: string): string {
  const s = text.trim();
  if (!s) return s;
  const first = s[0].toUpperCase() + s.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

export function toUiError(err: unknown): UiError {
  const e = err as { code?: GlassmasterErrorJSON['code']; message?: string; details?: Record<string, unknown> };
  const details = e.details ? Object.entries(e.details).filter(([, v]) => v !== undefined) : [];
  const detail = [`code: ${e.code ?? 'UNKNOWN'}`, ...details.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)].join('\n');
  return { message: sentence(e.message ?? String(err)), code: e.code ?? 'UNKNOWN', detail };
}
