import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled CLI: compile it from the sources under test, once.
    globalSetup: ['scripts/build-cli.mjs'],
    // Protocol and UI tests drive real processes (PTYs, MicroPython, Chromium): give them room,
    // and keep files from competing for the machine's two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
