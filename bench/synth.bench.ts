import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrgConfig } from './generate-org.js';
import type { BenchResult } from './types.js';

const HEAP_LIMIT_MB = 4096;

function synthOnce(configFile: string): { ms: number; maxRssMb: number; stacks: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'gw-bench-synth-'));
  const run = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--import', 'tsx', 'bench/synth-once.ts', configFile, outdir], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (run.status !== 0) throw new Error(`synth failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout);
}

/** `synth` time and peak memory for the default org and a generated 1,000-account org, each in a fresh process with a 4 GB heap. */
export async function synthBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const large = join(dir, 'groundwork.yaml');
  writeFileSync(large, generateOrgConfig({ accounts: 1000, ous: 50 }));
  for (const [name, file, goalMs] of [
    ['synth, default organization (5 accounts)', 'groundwork.yaml', 15_000],
    ['synth, 1,000 accounts in 50 OUs', large, 120_000],
  ] as const) {
    const runs = [synthOnce(file), synthOnce(file), synthOnce(file)];
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[1] as number;
    const maxRssMb = Math.max(...runs.map((r) => r.maxRssMb));
    results.push({
      name,
      value: `${(ms / 1000).toFixed(2)} s (median of 3), peak RSS ${maxRssMb.toFixed(0)} MB, ${runs[0]?.stacks} stacks`,
      goal: `< ${goalMs / 1000} s within a ${HEAP_LIMIT_MB / 1024} GB heap`,
      met: ms < goalMs && maxRssMb < HEAP_LIMIT_MB,
    });
  }
  return results;
}
