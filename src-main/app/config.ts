// User settings kept in the state dir (config.json): drives exported over iSCSI that should be
// listed alongside local ones. Validated on load; a broken file is reported, not silently reset.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../common/errors';

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
