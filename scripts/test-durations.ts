/**
 * `npm run test:durations -- REPORT.json`: writes each test file's duration, from a whole run's vitest JSON report
 * (`vitest run --reporter=json --outputFile.json=REPORT.json`), into test/helpers/file-durations.json, which the
 * longest-first sequencer reads so that a fresh clone starts the slowest files first. Run it after adding a slow file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface JsonReport {
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly startTime: number; readonly endTime: number }>;
}

const report = process.argv[2];
if (!report) {
  process.stderr.write('test:durations: give the JSON report of a whole run, e.g. npm run test:durations -- /tmp/report.json\n');
  process.exit(1);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../test/helpers/file-durations.json', import.meta.url));
const parsed = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
const durations = Object.fromEntries(
  parsed.testResults.map((r) => [relative(root, r.name), Math.round(r.endTime - r.startTime)] as const).sort((a, b) => b[1] - a[1]),
);
writeFileSync(out, `${JSON.stringify(durations, null, 2)}\n`);
process.stderr.write(`test:durations: ${Object.keys(durations).length} files written to test/helpers/file-durations.json\n`);
