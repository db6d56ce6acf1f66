/** The tag on everything Groundwork creates or adopts. */
export const MANAGED_TAG = { Key: 'groundwork:managed', Value: 'true' } as const;

/** How Groundwork came to manage an account: it created it, or it adopted one that existed. Only created accounts may ever be closed. */
export const ORIGIN_TAG_KEY = 'groundwork:origin';

/** The origin tag of an account Groundwork created. */
export const ORIGIN_CREATED = { Key: ORIGIN_TAG_KEY, Value: 'created' } as const;

/** The origin tag of an account Groundwork adopted. */
export const ORIGIN_ADOPTED = { Key: ORIGIN_TAG_KEY, Value: 'adopted' } as const;

type Tags = readonly { Key?: string; Value?: string }[] | undefined;

/** True if the tag list carries groundwork:managed=true. */
export function isManaged(tags: Tags): boolean {
  return (tags ?? []).some((t) => t.Key === MANAGED_TAG.Key && t.Value === MANAGED_TAG.Value);
}

/** The groundwork:origin tag's value, when it is one Groundwork writes. */
export function originOf(tags: Tags): 'created' | 'adopted' | undefined {
  const value = (tags ?? []).find((t) => t.Key === ORIGIN_TAG_KEY)?.Value;
  return value === 'created' || value === 'adopted' ? value : undefined;
}
