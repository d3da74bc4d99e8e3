// User settings kept in the state dir (config.json): drives exported over iSCSI that should be
// listed alongside local ones. Validated on load; a broken file is reported, not silently reset.
// These are also the only iSCSI drives the renderer may name (src-main/ipc/README.md, "iSCSI rule").
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../common/errors';
import { formatIscsiAddress, parseIscsiAddress } from '../transport/iscsi/address';

const ConfigSchema = z.object({
  iscsiDrives: z.array(z.string().regex(/^iscsi:\/\//)).default([]),
});
export type Config = z.infer<typeof ConfigSchema>;

export async function loadConfig(stateDir: string): Promise<Config> {
  const file = join(stateDir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ConfigSchema.parse({});
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${file} is not valid JSON`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new InvalidInputError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Adds or removes an iSCSI drive in config.json (kept in the normalized form the drive list
 * shows: iscsi://host:port/IQN/LUN). Other keys in the file are kept; the file is replaced by
 * a rename, so a crash leaves the old or the new file, never half of one.
 */
export async function updateIscsiDrives(stateDir: string, change: { add?: string; remove?: string }): Promise<Config> {
  const file = join(stateDir, 'config.json');
  await loadConfig(stateDir); // refuses a broken file instead of overwriting it
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const normalize = (a: string) => formatIscsiAddress(parseIscsiAddress(a), { withCredentials: true });
  let list = ConfigSchema.parse(raw).iscsiDrives;
  if (change.remove !== undefined) {
    const gone = formatIscsiAddress(parseIscsiAddress(change.remove));
    list = list.filter((a) => formatIscsiAddress(parseIscsiAddress(a)) !== gone);
  }
  if (change.add !== undefined) {
    const added = normalize(change.add);
    const key = formatIscsiAddress(parseIscsiAddress(added));
    list = [...list.filter((a) => formatIscsiAddress(parseIscsiAddress(a)) !== key), added];
  }
  const next = { ...raw, iscsiDrives: list };
  await mkdir(stateDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(next, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
  await rename(tmp, file);
  return ConfigSchema.parse(next);
}
