// An incremental server-sent events parser over raw bytes: any chunking, CR/LF/CRLF, bounded memory per event.
import { joinBytes } from '../request/tg-request.js';

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, when the server set one (Anthropic and the Responses API do). */
  readonly event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
}

const lf = 0x0a;
const cr = 0x0d;
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Feeds bytes in, gets whole events out (per the WHATWG event-stream rules). Lines and events larger
 * than `maxEventBytes` are dropped whole, so a hostile or broken stream costs bounded memory and the
 * reader never throws on any input.
 *
 * @example
 * const reader = new SseReader((e) => console.log(e.data));
 * reader.push(new TextEncoder().encode('data: {"a"'));
 * reader.push(new TextEncoder().encode(':1}\n\n')); // logs {"a":1}
 */
export class SseReader {
  private line: Uint8Array[] = [];
  private lineBytes = 0;
  private lineTooLong = false;
  private afterCr = false;
  private firstLine = true;
  private data: string[] = [];
  private dataBytes = 0;
  private eventName: string | undefined;
  private eventTooLong = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxEventBytes = 1_048_576,
  ) {}

  /** Feeds the next chunk of the body. */
  push(bytes: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      const byte = bytes[i];
      if (byte !== lf && byte !== cr) continue;
      // The LF of a CRLF split across two chunks (or within one) ends nothing new.
      if (byte === lf && this.afterCr && i === start && this.lineBytes === 0) {
        this.afterCr = false;
        start = i + 1;
        continue;
      }
      this.keep(bytes.subarray(start, i));
      this.endLine();
      this.afterCr = byte === cr;
      start = i + 1;
    }
    if (start < bytes.length) {
      this.afterCr = false;
      this.keep(bytes.subarray(start));
    }
  }

  /** The body ended: an event left without its blank line is still dispatched. */
  end(): void {
    if (this.lineBytes > 0 || this.lineTooLong) this.endLine();
    this.dispatch();
  }

  private keep(part: Uint8Array): void {
    if (part.length === 0 || this.lineTooLong) return;
    this.lineBytes += part.length;
    if (this.lineBytes > this.maxEventBytes) {
      this.lineTooLong = true;
      this.line = [];
      return;
    }
    // Copied: the caller may reuse its buffer once push() returns.
    this.line.push(part.slice());
  }

  private endLine(): void {
    const tooLong = this.lineTooLong;
    let text = '';
    if (!tooLong && this.lineBytes > 0) {
      text = decoder.decode(joinBytes(this.line, this.lineBytes));
    }
    this.line = [];
    this.lineBytes = 0;
    this.lineTooLong = false;
    if (this.firstLine && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.firstLine = false;
    if (tooLong) {
      this.eventTooLong = true;
      return;
    }
    if (text === '') {
      this.dispatch();
      return;
    }
    if (text.charCodeAt(0) === 0x3a /* : comment */) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') {
      this.dataBytes += value.length + 1;
      if (this.dataBytes > this.maxEventBytes) this.eventTooLong = true;
      else this.data.push(value);
    } else if (field === 'event') this.eventName = value;
  }

  private dispatch(): void {
    const { data, eventName, eventTooLong } = this;
    this.data = [];
    this.dataBytes = 0;
    this.eventName = undefined;
    this.eventTooLong = false;
    if (eventTooLong || data.length === 0) return;
    this.onEvent({ event: eventName, data: data.join('\n') });
  }
}

