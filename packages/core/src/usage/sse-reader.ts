// An incremental server-sent events parser over raw bytes: any chunking, CR/LF/CRLF, bounded memory per event.

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, when the server set one (Anthropic and the Responses API do). */
  readonly event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
}

const lf = 0x0a;
const cr = 0x0d;
// Invalid bytes become U+FFFD; a BOM is kept, so that only the stream's first line drops it (processLine).
const decoderOptions = { fatal: false, ignoreBOM: true } as const;
// Decodes the lines that begin and end within one chunk, each in one call.
const decoder = new TextDecoder('utf-8', decoderOptions);

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
  /** The text so far of a line that began in an earlier chunk. */
  private line = '';
  private lineBytes = 0;
  private lineTooLong = false;
  /** Decodes a line that spans chunks as its parts come (a character may be split between them). */
  private lineDecoder: InstanceType<typeof TextDecoder> | undefined;
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
    // Line ends found with the native indexOf; most streams have no CR, so that search runs once a chunk.
    let nextLf = bytes.indexOf(lf);
    let nextCr = bytes.indexOf(cr);
    while (nextLf !== -1 || nextCr !== -1) {
      const i = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      const byte = bytes[i];
      // The LF of a CRLF split across two chunks (or within one) ends nothing new.
      if (byte === lf && this.afterCr && i === start && this.lineBytes === 0) {
        this.afterCr = false;
      } else {
        this.endLine(bytes.subarray(start, i));
        this.afterCr = byte === cr;
      }
      start = i + 1;
      if (byte === lf) nextLf = bytes.indexOf(lf, start);
      else nextCr = bytes.indexOf(cr, start);
    }
    if (start < bytes.length) {
      this.afterCr = false;
      this.keep(bytes.subarray(start));
    }
  }

  /** The body ended: an event left without its blank line is still dispatched. */
  end(): void {
    if (this.lineBytes > 0 || this.lineTooLong) this.endLine(new Uint8Array(0));
    this.dispatch();
  }

  /** The start of a line whose end is in a later chunk. */
  private keep(part: Uint8Array): void {
    if (this.lineTooLong) return;
    this.lineBytes += part.length;
    if (this.lineBytes > this.maxEventBytes) {
      this.lineTooLong = true;
      this.line = '';
      this.lineDecoder?.decode();
      return;
    }
    this.line += (this.lineDecoder ??= new TextDecoder('utf-8', decoderOptions)).decode(part, { stream: true });
  }

  /** A line ends with `last`, its part in this chunk: decoded (the whole line at once when it began here), then processed. */
  private endLine(last: Uint8Array): void {
    const began = this.lineBytes === 0 && !this.lineTooLong;
    const tooLong = this.lineTooLong || this.lineBytes + last.length > this.maxEventBytes;
    let text = '';
    if (began) text = tooLong || last.length === 0 ? '' : decoder.decode(last);
    else {
      // Decoding with no `stream` flag ends the line's decoding and resets the decoder for the next one.
      const rest = this.lineDecoder?.decode(last) ?? '';
      text = tooLong ? '' : this.line + rest;
    }
    this.line = '';
    this.lineBytes = 0;
    this.lineTooLong = false;
    if (tooLong) {
      this.firstLine = false;
      this.eventTooLong = true;
      return;
    }
    this.processLine(text);
  }

  /** One whole line of text (WHATWG "process the line"). */
  private processLine(line: string): void {
    let text = line;
    if (this.firstLine && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.firstLine = false;
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
    this.onEvent({ event: eventName, data: data.length === 1 ? data[0]! : data.join('\n') });
  }
}

