import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

describe('the JSON Schema', () => {
  it('in schema/ matches the zod schema (regenerate with npm run schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/groundwork.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('describes every top-level section and forbids unknown keys', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['organization', 'serviceControlPolicies', 'identityCenter', 'notifications', 'audit', 'cost', 'workloads']),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});
