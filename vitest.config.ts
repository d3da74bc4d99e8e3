import { defineConfig } from 'vitest/config';

// Unit, contract and peer tests. Peer tests (xorriso, tgtd, qemu …) live beside the code and
// fail in CI when their tool is missing (see src-main/testing/peer-tools.ts).
export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-renderer/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
