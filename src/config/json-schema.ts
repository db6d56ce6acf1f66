import { z } from 'zod';
import { GroundworkConfigSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of groundwork.yaml, as written to schema/groundwork.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(GroundworkConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Groundwork configuration',
  };
}
