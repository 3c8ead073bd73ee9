// Counters an app process keeps between two harness resets: requests handled, Redis commands sent.

/** Named counters, reset by the harness before each measured run. */
export class AppCounters {
  #values = new Map<string, number>();

  /** Adds `by` to a counter. */
  add(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  reset(): void {
    this.#values.clear();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
