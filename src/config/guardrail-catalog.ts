import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GUARDRAILS_DIR = fileURLToPath(new URL('../org/guardrails/', import.meta.url));

/** Names of the built-in guardrail SCPs (folders under src/org/guardrails/). */
export function guardrailNames(): string[] {
  return readdirSync(GUARDRAILS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${GUARDRAILS_DIR}${entry.name}/policy.json`))
    .map((entry) => entry.name)
    .sort();
}

/** The raw policy.json text of a built-in guardrail. */
export function readGuardrail(name: string): string {
  return readFileSync(`${GUARDRAILS_DIR}${name}/policy.json`, 'utf8');
}
