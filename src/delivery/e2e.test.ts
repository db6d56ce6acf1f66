import { describe, expect, it } from 'vitest';
import { runE2e } from './e2e.js';

describe('runE2e', () => {
  it('runs the command with BASE_URL set, and reports its exit', async () => {
    expect(await runE2e('test "$BASE_URL" = "http://staging.example.com"', 'http://staging.example.com')).toEqual({ status: 'passed' });
    expect(await runE2e('exit 3', 'http://x')).toEqual({ status: 'failed', exitCode: 3 });
  });

  it('is skipped, not passed, when no command is configured', async () => {
    expect(await runE2e('  ', 'http://x')).toEqual({ status: 'skipped' });
  });
});
