// Counters an app process keeps between two harness resets: requests handled, Redis commands sent.

/** Named counters, reset by the harness before each measured run. */
export class AppCounters {
  #values = new Map<string, number>();
  #latencies: number[] = [];

  /** Records how long one request that reached the route handler took inside the app. */
  latency(ms: number): void {
    this.#latencies.push(ms);
  }

  /** The recorded latencies' count, median and p99 (nearest rank), in milliseconds. */
  latencies(): { count: number; p50Ms: number; p99Ms: number } {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const rank = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
    return { count: sorted.length, p50Ms: rank(50), p99Ms: rank(99) };
  }

  /** Adds `by` to a counter. */
  add(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  reset(): void {
    this.#values.clear();
    this.#latencies = [];
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
