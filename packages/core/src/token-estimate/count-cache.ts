// A bounded least-recently-used table of exact token counts, keyed by text, per encoding.

/**
 * Token counts of texts seen recently. System prompts, tool definitions and few-shot examples repeat
 * across requests, and tokenizing them again costs more than a lookup. Bounded by entries and by the
 * characters held, so neither many short texts nor a few long ones can grow it past its bounds; texts
 * longer than `maxTextLength` are not kept.
 *
 * @example
 * const cache = new TokenCountCache({ maxEntries: 2, maxChars: 100, maxTextLength: 50 });
 * cache.set('You answer in one short sentence.', 7);
 * cache.get('You answer in one short sentence.') // 7
 */
export class TokenCountCache {
  readonly #counts = new Map<string, number>();
  #chars = 0;

  constructor(private readonly bounds: { readonly maxEntries: number; readonly maxChars: number; readonly maxTextLength: number }) {}

  /** Whether a text of this length may be kept. */
  fits(text: string): boolean {
    return text.length <= this.bounds.maxTextLength;
  }

  /** The count of `text`, marking it as recently used, or undefined. */
  get(text: string): number | undefined {
    const count = this.#counts.get(text);
    if (count !== undefined) {
      this.#counts.delete(text);
      this.#counts.set(text, count);
    }
    return count;
  }

  /** Keeps the count of `text` (when it fits), dropping the least recently used entries past the bounds. */
  set(text: string, count: number): void {
    if (!this.fits(text) || this.#counts.has(text)) return;
    this.#counts.set(text, count);
    this.#chars += text.length;
    for (const oldest of this.#counts.keys()) {
      if (this.#counts.size <= this.bounds.maxEntries && this.#chars <= this.bounds.maxChars) break;
      this.#counts.delete(oldest);
      this.#chars -= oldest.length;
    }
  }

  get size(): number {
    return this.#counts.size;
  }
}
