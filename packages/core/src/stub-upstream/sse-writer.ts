// Writes Server-Sent Events, paced and with backpressure, and stops the moment the client goes away.
import type { ServerResponse } from 'node:http';

/**
 * One event stream on one response. Every `send` resolves to false once the client has
 * disconnected, so a producer stops generating instead of writing into a dead socket.
 */
export class SseWriter {
  #gone = false;
  readonly #wakers = new Set<() => void>();

  constructor(
    private readonly res: ServerResponse,
    private readonly delayMs: number,
  ) {
    // 'close' also fires after a normal end; by then nothing is sent any more, so one flag serves both.
    res.on('close', () => {
      this.#gone = true;
      for (const wake of this.#wakers) wake();
      this.#wakers.clear();
    });
  }

  /** True once the client disconnected or the stream ended. */
  get closed(): boolean {
    return this.#gone || this.res.destroyed;
  }

  /** Sends the status line and headers, so the client sees the stream open before the first event. */
  open(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    this.res.flushHeaders();
  }

  /** Waits the configured delay, then sends one `data:` event; false when the client is gone. */
  async send(data: unknown): Promise<boolean> {
    if (this.delayMs > 0) await this.#pause(this.delayMs);
    if (this.closed) return false;
    return this.#write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends the `[DONE]` sentinel OpenAI ends its streams with and ends the response; false when the client is gone. */
  async done(): Promise<boolean> {
    if (this.closed || !(await this.#write('data: [DONE]\n\n'))) return false;
    this.res.end();
    return true;
  }

  async #write(text: string): Promise<boolean> {
    if (this.res.write(text)) return !this.closed;
    await this.#until((wake) => {
      this.res.once('drain', wake);
      return () => this.res.off('drain', wake);
    });
    return !this.closed;
  }

  #pause(ms: number): Promise<void> {
    return this.#until((wake) => {
      const timer = setTimeout(wake, ms);
      return () => clearTimeout(timer);
    });
  }

  /** Resolves when `arm`'s event fires or the client goes away, whichever comes first. */
  #until(arm: (wake: () => void) => () => void): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        disarm();
        this.#wakers.delete(wake);
        resolve();
      };
      const disarm = arm(wake);
      this.#wakers.add(wake);
    });
  }
}
