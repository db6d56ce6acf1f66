/**
 * A change's details as one line for people: `  (key: value, field: "old" → "new")`, IDs left out; empty when there
 * is nothing to show. The terminal plan and the pull-request comment print it alike.
 */
export function describeChangeDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === 'id' || value === undefined) continue;
    if (value && typeof value === 'object' && 'from' in value && 'to' in value) {
      parts.push(`${key}: ${JSON.stringify((value as { from: unknown }).from)} → ${JSON.stringify((value as { to: unknown }).to)}`);
    } else if (typeof value === 'object') parts.push(`${key}: ${JSON.stringify(value)}`);
    else parts.push(`${key}: ${value}`);
  }
  return parts.length > 0 ? `  (${parts.join(', ')})` : '';
}
