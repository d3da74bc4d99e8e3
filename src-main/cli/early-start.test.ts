import { describe, expect, it } from 'vitest';
import { buildsImage } from './early-start';

describe('buildsImage (whether the executable starts the image worker before the command line loads)', () => {
  it('is true for an image build to a file or standard output, false for everything else', () => {
    expect(buildsImage(['image', '-o', 'out.iso', 'dir'])).toBe(true);
    expect(buildsImage(['image', '--label', 'X', '--output', 'out.iso', 'dir'])).toBe(true);
    expect(buildsImage(['image', '--output=out.iso', 'dir'])).toBe(true);
    expect(buildsImage(['image', '-oout.iso', 'dir'])).toBe(true);
    expect(buildsImage(['image', '-o', '-', 'dir'])).toBe(true);
    expect(buildsImage(['image', 'dir'])).toBe(false); // a usage error follows
    expect(buildsImage(['image', '--help'])).toBe(false);
    expect(buildsImage(['image', '-o', 'x.iso', '-h'])).toBe(false);
    expect(buildsImage(['image', '--list', 'x.iso'])).toBe(false);
    expect(buildsImage(['image', '--inspect', 'x.iso'])).toBe(false);
    expect(buildsImage(['image', '--preflight', '-o', 'x.iso', 'dir'])).toBe(false);
    expect(buildsImage(['burn', '-o', 'x'])).toBe(false);
    expect(buildsImage([])).toBe(false);
  });
});
