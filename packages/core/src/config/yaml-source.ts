// YAML parsing with the `yaml` package: syntax errors and duplicate keys with their lines, and field positions.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ConfigPath } from './config-path.js';
import type { ParsedSource, SourcePart, SourcePosition, SourceProblem } from './config-source.js';

/** The node at each step of `path` that exists, root first, with the key node of the last map step. */
function nodesAlong(doc: Document, path: ConfigPath): { node: Node; key?: Node }[] {
  const found: { node: Node; key?: Node }[] = [];
  let node: unknown = doc.contents;
  if (node === null) return found;
  found.push({ node: node as Node });
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (typeof segment === 'number' && isSeq(node)) {
      node = node.items[segment];
      if (node === undefined || node === null) return found;
      found.push({ node: node as Node });
    } else if (typeof segment === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (pair === undefined) return found;
      const key = pair.key as Node;
      // `key:` with nothing after it has no value node; point at the key then.
      node = pair.value ?? key;
      found.push({ node: node as Node, key });
    } else {
      return found;
    }
  }
  return found;
}

/**
 * Parses YAML 1.2 (core schema) with positions for every field. Warnings such as unknown tags count as
 * problems: a config file should say exactly what it means.
 *
 * @example
 * const parsed = parseYamlSource('errors:\n  formt: openai\n');
 * if (parsed.ok) parsed.locate(['errors', 'formt'], 'key'); // { line: 2, col: 3 }
 */
export function parseYamlSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below, by the key as JS will see it (`1` and `"1"` are the same key there).
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const position = (offset: number): SourcePosition => lineCounter.linePos(offset);
  // Only the first syntax error: the parser's later ones mostly follow from it.
  const syntax = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY').slice(0, 1);
  const problems: SourceProblem[] = [...syntax, ...doc.warnings].map((error) => ({
    position: position(error.pos[0]),
    message: `YAML syntax: ${error.message.split('\n')[0]!}`,
  }));
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        const offset = (key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        if (!isScalar(key)) {
          // A list or map used as a key has no meaning in a config, and JS objects would stringify it.
          if (key !== null && !isAlias(key)) problems.push({ position: position(offset), message: 'YAML syntax: keys must be plain names, not lists or maps' });
          continue;
        }
        const name = String(key.value);
        if (seen.has(name)) problems.push({ position: position(offset), message: `duplicate key ${JSON.stringify(name)}` });
        seen.add(name);
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Too many aliases (a "billion laughs" file) and the like.
    return { ok: false, problems: [{ position: { line: 1, col: 1 }, message: `YAML: ${(error as Error).message}` }] };
  }
  const locate = (path: ConfigPath, part: SourcePart = 'value'): SourcePosition => {
    const found = nodesAlong(doc, path);
    const last = found[found.length - 1];
    if (last === undefined) return { line: 1, col: 1 };
    const target = found.length === path.length + 1 && part === 'key' && last.key !== undefined ? last.key : last.node;
    return position(target.range?.[0] ?? 0);
  };
  return { ok: true, data, locate };
}
