import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { configJsonSchema } from '../../config/json-schema.js';
import type { CommandContext } from '../context.js';

/** `groundwork schema [--out FILE]`: the JSON Schema of groundwork.yaml, from the same zod schema the loader uses. */
export async function schemaCommand(ctx: CommandContext, options: { out?: string }): Promise<void> {
  const schema = configJsonSchema();
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (!options.out) {
    ctx.out.result(schema, () => text);
    return;
  }
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, text);
  ctx.out.result({ written: options.out }, () => `Wrote ${options.out}`);
}
