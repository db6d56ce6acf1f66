/**
 * `npm run bench [name…]`: runs the benchmarks and prints a Markdown table with the machine and date,
 * to be pasted into docs/benchmarks.md. Names: synth, org, identity, cost, delivery, release, auth, console, deploy, gitops.
 */
import { cpus, totalmem } from 'node:os';
import { authBenchmark } from './auth.bench.js';
import { consoleBenchmark } from './console.bench.js';
import { costBenchmark } from './cost.bench.js';
import { deliveryBenchmark } from './delivery.bench.js';
import { deployBenchmark } from './deploy.bench.js';
import { gitopsBenchmark } from './gitops.bench.js';
import { identityBenchmark } from './identity.bench.js';
import { orgBenchmark } from './org.bench.js';
import { releaseBenchmark } from './release.bench.js';
import { synthBenchmark } from './synth.bench.js';
import type { BenchResult } from './types.js';

const suites: Record<string, () => Promise<BenchResult[]>> = {
  synth: synthBenchmark,
  org: orgBenchmark,
  identity: identityBenchmark,
  cost: costBenchmark,
  delivery: deliveryBenchmark,
  release: releaseBenchmark,
  auth: authBenchmark,
  console: consoleBenchmark,
  deploy: deployBenchmark,
  gitops: gitopsBenchmark,
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')}; available: ${Object.keys(suites).join(', ')}\n`);
  process.exit(1);
}
const results: BenchResult[] = [];
for (const [name, suite] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  results.push(...(await suite()));
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
const lines = [
  `Date: ${new Date().toISOString().slice(0, 10)}; machine: ${machine}`,
  '',
  '| benchmark | result | goal | met |',
  '|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.value} | ${r.goal} | ${r.met ? 'yes' : 'NO'} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
