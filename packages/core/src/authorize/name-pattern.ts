// Glob patterns over names (actions, models, tags, scopes): `*` stands for any run of characters.

/** A compiled pattern: tests a name. */
export type NamePattern = (name: string) => boolean;

/**
 * Compiles a pattern in which `*` matches any run of characters (none included) and everything else
 * matches itself, case-sensitively. Patterns without `*` compare by equality.
 *
 * @example
 * const premium = namePattern('gpt-4o*');
 * premium('gpt-4o-mini') // true
 * namePattern('inference:*')('admin:keys') // false
 */
export function namePattern(pattern: string): NamePattern {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => regex.test(name);
}

/** Whether any of the patterns matches the name. */
export function anyMatches(patterns: readonly NamePattern[], name: string): boolean {
  for (const pattern of patterns) if (pattern(name)) return true;
  return false;
}
