/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

/** The closest candidate to `input`, if one is close enough to be a likely typo. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const candidateLower = candidate.toLowerCase();
    if (candidateLower === lower) return candidate;
    if (lower.length >= 2 && candidateLower.startsWith(lower)) return candidate;
    if (lower.length >= 2 && acronym(candidate) === lower) return candidate;
    const distance = editDistance(lower, candidateLower);
    const allowed = Math.max(2, Math.floor(candidate.length / 3));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** A hint naming the closest candidate, or listing what is allowed. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates);
  if (match) return `did you mean "${match}"?`;
  if (candidates.length === 0) return 'none are declared';
  const shown = candidates.slice(0, 8).map((c) => `"${c}"`);
  return `allowed: ${shown.join(', ')}${candidates.length > 8 ? ', …' : ''}`;
}

/** `ou` for `organizationalUnit`: the first letter and every capital. */
function acronym(name: string): string {
  return ((name[0] ?? '') + name.slice(1).replace(/[^A-Z]/g, '')).toLowerCase();
}
