// Reads the upstream's answer as it passes: usage into context.recordUsage, output text and shape for the output checks.
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import type { ResponseControl, ResponseObserver } from '../pipeline/step.js';
import type { InferenceApi } from '../validate-request/api-route.js';
import { outputTexts } from './output-text.js';
import { checkResponseShape } from './response-schemas.js';
import { SseReader } from './sse-reader.js';
import { parsedEventsOf } from './parsed-events.js';
import { joinBytes } from '../request/tg-request.js';
import { readUsage, type UsageReading } from './usage-fields.js';
import { outputChecker, type OutputSettings, type ResponseDecision } from './output-checker.js';

/** What the observer needs to know about the request. */
export interface ObserverSettings {
  readonly api: InferenceApi;
  readonly model: string;
  /** The prompt estimate, charged as input when a cut-off stream never reported usage. */
  readonly promptTokens: number;
  /** Tokens of streamed output text, for a stream cut off before its usage arrived. */
  readonly countOutput: (text: string) => number;
  readonly output: OutputSettings | undefined;
  /** Pass the usage read to `context.recordUsage` (off: the output checks only). */
  readonly recordUsage: boolean;
  /** Largest JSON response read for usage; larger ones are passed on unread. @default 8 MiB */
  readonly maxJsonBytes: number;
  /** Largest stream event read; larger ones are skipped. @default 1 MiB */
  readonly maxEventBytes: number;
}

/** A response observer that can also say when its asynchronous output checks have settled. */
export interface UsageObserver extends ResponseObserver {
  settled(): Promise<void>;
}

const jsonType = /^application\/(?:[a-z0-9.+-]+\+)?json/i;
const streamType = /^text\/event-stream/i;
// Not fatal and never streaming, so one decoder serves every response.
const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Builds the observer for one response. Usage the response reports (a JSON body's `usage`, the final
 * usage chunk of a stream, Anthropic's `message_start`/`message_delta`, the Responses API's
 * `response.completed`) is passed to `context.recordUsage` as soon as both counts are known. A stream
 * cut off before its usage arrived is charged the prompt estimate plus the tokens of what it streamed.
 * When the output checks can block and `output.hold` is on, a JSON answer is held back until they
 * answered (`hold`), and withheld (`TG_OUTPUT_BLOCKED`) when they block or it is too large to check.
 *
 * @example
 * const observer = usageObserver(context, control, settings, decision);
 */
export function usageObserver(context: TgContext, control: ResponseControl | undefined, settings: ObserverSettings, decision: ResponseDecision): UsageObserver {
  let mode: 'sse' | 'json' | 'ignore' = 'ignore';
  const reading: UsageReading = { inputTokens: undefined, outputTokens: undefined };
  let jsonParts: Uint8Array[] = [];
  let jsonBytes = 0;
  const checker = outputChecker(settings, control, decision);

  const report = (): void => {
    const { inputTokens, outputTokens } = reading;
    if (inputTokens === undefined || outputTokens === undefined || !settings.recordUsage) return;
    context.recordUsage({ inputTokens, outputTokens });
    decision.usage = 'response';
  };
  const read = (parsed: unknown, stream: boolean): void => {
    if (readUsage(parsed, reading)) report();
    for (const text of outputTexts(parsed, stream)) checker.addText(text);
    checker.checkShape(() => checkResponseShape(settings.api, parsed, stream));
  };
  // Only an event stream needs a reader: built at its first chunk, so a JSON answer pays nothing for it.
  let reader: SseReader | undefined;
  const newReader = (): SseReader => {
    // rateLimit's meter, when it reads this stream too, takes the events parsed here (it asked before the first chunk).
    const shared = parsedEventsOf(context);
    return new SseReader(({ data }) => {
      if (data === '[DONE]') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        checker.checkShape(() => ({ path: '(event data is not JSON)' }));
        return;
      }
      shared?.offer(data, parsed);
      read(parsed, true);
      checker.progress();
    }, settings.maxEventBytes);
  };

  const readWholeJson = (): void => {
    const body = joinBytes(jsonParts, jsonBytes);
    jsonParts = [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(body));
    } catch {
      checker.checkShape(() => ({ path: '(body is not JSON)' }));
      return;
    }
    read(parsed, false);
  };

  const chargeCutOffStream = (): void => {
    if (!settings.recordUsage) return;
    const streamed = settings.countOutput(checker.text()) + checker.overflowTokens();
    const inputTokens = reading.inputTokens ?? settings.promptTokens;
    const outputTokens = Math.max(reading.outputTokens ?? 0, streamed);
    context.recordUsage({ inputTokens, outputTokens });
    decision.usage = reading.inputTokens !== undefined && reading.outputTokens !== undefined && reading.outputTokens >= streamed ? 'response' : 'estimated';
  };

  // The whole body is in: read it and run the last checks, once (a held answer is judged before it ends).
  let completed = false;
  const complete = (): void => {
    if (completed) return;
    completed = true;
    if (mode === 'json') readWholeJson();
    if (mode !== 'ignore') checker.finish();
  };
  const output = settings.output;
  // Only when a check can block: every other response pays nothing for holding. A whole JSON answer is
  // then judged before it leaves: the checks run on all of it, then say whether it may go.
  const judgeJson = output !== undefined && output.hold && (output.detector !== undefined || output.schema === 'block')
    ? async (overLimit: boolean): Promise<TollgateError | undefined> => {
      if (overLimit || decision.tooLarge === true) {
        decision.output = { action: 'block', reason: `the answer is larger than maxResponseBytes (${settings.maxJsonBytes}) and could not be checked` };
        return new TollgateError('TG_OUTPUT_BLOCKED');
      }
      complete();
      await checker.settled();
      return checker.blocks() ? new TollgateError('TG_OUTPUT_BLOCKED') : undefined;
    }
    : undefined;
  const observer: UsageObserver = {
    start(status, contentType) {
      const type = contentType ?? '';
      if (status < 200 || status >= 300) mode = 'ignore';
      else if (streamType.test(type)) mode = 'sse';
      else if (jsonType.test(type)) mode = 'json';
      decision.usage = 'none';
    },
    chunk(bytes) {
      if (mode === 'sse') (reader ??= newReader()).push(bytes);
      else if (mode === 'json') {
        jsonBytes += bytes.length;
        if (jsonBytes > settings.maxJsonBytes) {
          mode = 'ignore';
          jsonParts = [];
          decision.tooLarge = true;
        } else jsonParts.push(bytes.slice());
      }
    },
    end(outcome) {
      if (mode === 'sse') {
        reader?.end();
        if (outcome.aborted) chargeCutOffStream();
      }
      complete();
    },
    settled: () => checker.settled(),
    // In the literal, not added afterwards: a closure stored as a new property of a per-request object
    // is kept alive by young collections (see "The hot path" in docs/design-notes.md).
    hold: judgeJson === undefined ? undefined : () => (mode === 'json' ? { maxBytes: settings.maxJsonBytes, verdict: judgeJson } : undefined),
  };
  return observer;
}
