/** One synth in a fresh process: prints {"ms","maxRssMb","stacks"} as JSON. Run by bench/synth.bench.ts. */
import { loadConfig } from '../src/config/load-config.js';
import { placeholderDirectory } from '../src/infra/account-directory.js';
import { synthesize } from '../src/infra/synthesize.js';

const [configFile, outdir] = process.argv.slice(2);
const started = performance.now();
const config = loadConfig(configFile as string);
const result = synthesize({ config, accounts: placeholderDirectory(config), outdir });
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, stacks: result.stacks.length }));
