import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // A test that writes to the console is a defect (STYLE.md §10).
    setupFiles: ['test/setup/no-console.ts'],
    testTimeout: 30_000,
  },
});
