import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runImageBuildOnly } from './image-build-entry';

describe('runImageBuildOnly (the executable\'s path for image builds)', () => {
  it('leaves to the full command line what it does not parse as a build, writing nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-entry-'));
    const out = path.join(dir, 'x.iso');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    for (const argv of [
      ['drives'],
      ['image', '-o', out, '--bogus', dir],
      ['image', '--list=disc.iso', '-o', out],
      ['image', '-o', out, '--fs', 'nope', dir],
      ['image', '-o', out], // no sources: the full program says so, as before
    ]) {
      expect(await runImageBuildOnly(argv)).toBeUndefined();
    }
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });
});
