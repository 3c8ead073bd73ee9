// What an app process spent between two harness resets: CPU time of all its threads, and time in garbage collection.
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { ProcessUsage } from './messages.js';

/**
 * Measures the process's CPU time (user + system, every thread: the main thread, V8's GC helpers,
 * libuv's pool) and the main thread's garbage-collection pauses since `reset()`.
 *
 * @example
 * const meter = new UsageMeter();
 * meter.reset(); … drive load …; meter.read() // { cpuMs: 4210, gcMs: 350, wallMs: 5003 }
 */
export class UsageMeter {
  #cpu = process.cpuUsage();
  #since = performance.now();
  #gcMs = 0;
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceEntry[]) this.#gcMs += entry.duration;
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  reset(): void {
    this.#cpu = process.cpuUsage();
    this.#since = performance.now();
    this.#gcMs = 0;
  }

  read(): ProcessUsage {
    const cpu = process.cpuUsage(this.#cpu);
    return { cpuMs: (cpu.user + cpu.system) / 1000, gcMs: this.#gcMs, wallMs: performance.now() - this.#since };
  }

  close(): void {
    this.#observer.disconnect();
  }
}
