// Paths into a config document, and how they are written in messages (`authenticate.methods[0].store`).

/** Keys and array indexes from the document root to a field. */
export type ConfigPath = readonly (string | number)[];

/**
 * The path as a reader writes it: dotted keys, bracketed indexes; `(root)` for the document itself.
 *
 * @example
 * formatConfigPath(['authenticate', 'methods', 0, 'store']) // 'authenticate.methods[0].store'
 */
export function formatConfigPath(path: ConfigPath): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** A path as a Set/Map key (segments cannot collide: numbers and strings encode differently). */
export function configPathKey(path: ConfigPath): string {
  return JSON.stringify(path);
}
