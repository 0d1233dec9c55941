import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled CLI and the UI tests the built renderer: build both from the
    // sources under test, once, before any test.
    globalSetup: ['scripts/build-cli.mjs', 'test/support/buildRenderer.ts'],
    // Protocol and UI tests drive real processes (PTYs, MicroPython, Chromium): give them room,
    // and keep files from competing for the machine's two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
