// Parsing what an HTTP client sent, without ever throwing: the request target (which
// decodeURIComponent and new URL reject for `/%`, `/%C0%AF`, `//[`) and the Host header.

/** The decoded path and query of a request target, or undefined when it cannot be parsed (answer 400). */
export function parseRequestTarget(target: string | undefined): { pathname: string; searchParams: URLSearchParams } | undefined {
  // Origin-form only (RFC 9110 §7.1): "/path?query". An absolute or authority form, or "//host", is
  // not something a browser sends to this server.
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    const url = new URL(target, 'http://127.0.0.1');
    return { pathname: decodeURIComponent(url.pathname), searchParams: url.searchParams };
  } catch {
    return undefined;
  }
}

/**
 * DNS rebinding guard: a page on attacker.example whose name now resolves to 127.0.0.1 sends
 * `Host: attacker.example:PORT`. Only the loopback names the server is reached by, with its port,
 * and names the user configured are accepted. The port may be left out only when it is 80
 * (RFC 9110 §7.2: the default port of http).
 */
export function hostAllowed(host: string | undefined, port: number, names: readonly string[]): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return names.some((n) => h === `${n}:${port}` || (port === 80 && h === n));
}

/** The loopback names the server accepts besides configured ones. It listens on 127.0.0.1 only. */
export const LOOPBACK_HOST_NAMES = ['127.0.0.1', 'localhost'] as const;

/** A host name a user may allow (`serve --allow-host`): DNS labels, no port, no IP literal with brackets. */
export const ALLOWED_HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
