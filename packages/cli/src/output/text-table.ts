// Plain-text tables and field lists for the key and tenant commands.

/**
 * Rows under a header, columns padded to their widest cell; empty cells show `-`.
 *
 * @example
 * textTable(['ID', 'STATUS'], [['AbC123dEf456', 'active']])
 */
export function textTable(header: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === undefined || cell === '' ? '-' : cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return `${cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell!.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/**
 * `name: value` lines for the fields that are present, names aligned.
 *
 * @example
 * fieldList([['id', 'acme'], ['tier', undefined]]) // 'id: acme\n'
 */
export function fieldList(fields: readonly (readonly [string, string | undefined])[]): string {
  const present = fields.filter((field): field is readonly [string, string] => field[1] !== undefined && field[1] !== '');
  const width = Math.max(0, ...present.map(([name]) => name.length));
  return present.map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${value}\n`).join('');
}

/** A list for a cell or a field: `a, b`, or undefined when empty. */
export function listText(values: readonly string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values.join(', ');
}
