import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/helpers/longest-first.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Many files wait on the emulator (another process), on SDK retry back-off or on polls, not on this CPU: more
    // workers than cores keep both cores busy (measured in docs/benchmarks.md, "The test suite").
    maxWorkers: 4,
    // The slowest files first (measured durations, test/helpers/file-durations.json), so that no worker runs one alone at the end.
    sequence: { sequencer: LongestFirstSequencer },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
