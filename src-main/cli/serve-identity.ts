// The browser shell's address and token kept across restarts: `glassmaster serve` remembers the
// port it listened on and its access token in <stateDir>/serve.json (mode 0600, like the rest of
// the state dir's secrets), and uses both again next time, so a page left open reconnects by itself
// after a restart instead of knocking on a dead port with a stale token. --port overrides the
// remembered port; if that port is taken now, a free one is used (the page then says exactly what
// to open). The token is 24 random bytes; delete serve.json to get a new one.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ServeIdentity {
  token: string;
  port?: number;
}

const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export function identityFile(stateDir: string): string {
  return join(stateDir, 'serve.json');
}

/** The remembered identity, or a new token when there is none (or it is unreadable or malformed). */
export async function loadServeIdentity(stateDir: string): Promise<ServeIdentity> {
  try {
    const v = JSON.parse(await readFile(identityFile(stateDir), 'utf8')) as { token?: unknown; port?: unknown };
    if (typeof v.token === 'string' && TOKEN.test(v.token)) {
      const port = typeof v.port === 'number' && Number.isInteger(v.port) && v.port > 1023 && v.port < 65536 ? v.port : undefined;
      return { token: v.token, port };
    }
  } catch {
    // None yet, or not ours: a fresh identity.
  }
  return { token: randomBytes(24).toString('base64url') };
}

export async function saveServeIdentity(stateDir: string, identity: Required<ServeIdentity>): Promise<void> {
  const file = identityFile(stateDir);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(identity), { mode: 0o600 });
  await chmod(file, 0o600);
}
