// Counts the tokens of texts: OpenAI's encodings (gpt-tokenizer) in bounded pieces under a time budget, else the estimate.
import type { TokenCounter, TokenizerName } from '../model-registry/model-definition.js';
import { conservativeTokenEstimate } from './conservative-estimate.js';
import { TokenCountCache } from './count-cache.js';

/** The part of gpt-tokenizer's encoding API used here, and the encoding's pre-tokenizer pattern. */
interface Encoding {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  readonly split: RegExp;
}

type EncodingName = Exclude<TokenizerName, 'estimate'>;

const loaded = new Map<EncodingName, Promise<Encoding>>();

async function importEncoding(name: EncodingName): Promise<Encoding> {
  const [encoding, patterns] = await Promise.all([
    name === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base'),
    import('gpt-tokenizer/encodingParams/constants'),
  ]);
  const split = name === 'o200k_base' ? patterns.O200K_TOKEN_SPLIT_REGEX : patterns.CL100K_TOKEN_SPLIT_REGEX;
  return { countTokens: encoding.countTokens, split: new RegExp(split.source, split.flags) };
}

/**
 * Loads an encoding once per process (about 200 ms and 20 MB for o200k_base), on first use.
 *
 * @example
 * await loadEncoding('o200k_base');
 */
export function loadEncoding(name: EncodingName): Promise<Encoding> {
  let encoding = loaded.get(name);
  if (encoding === undefined) {
    encoding = importEncoding(name);
    loaded.set(name, encoding);
  }
  return encoding;
}

/** The time one request may spend tokenizing; past it, the rest of its text is estimated. */
export interface TokenBudget {
  /** `performance.now()` after which exact counting stops. */
  readonly deadline: number;
  /** Set once the deadline passed: later counts are estimates. */
  exhausted: boolean;
}

/** Counts one text's tokens for one model. */
export interface TextCounter {
  /** The tokenizer behind it, or `custom` for an app's own counter. */
  readonly tokenizer: TokenizerName | 'custom';
  count(text: string, budget: TokenBudget): number;
}

// Text is special-token free: `<|endoftext|>` typed by a user is counted as the text it is.
const asText = { disallowedSpecial: new Set<string>() };

/** Longest piece handed to the encoder at once: BPE time grows faster than length on long runs. */
const maxPiece = 256;

const isSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 || code === 0xa0 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x1680 || code === 0x202f || code === 0x205f;

/**
 * Where the encoder may be called on text[start, end): the encoding's own pre-tokens, gathered into
 * pieces of up to `maxPiece` characters and cut only between a pre-token that does not end in
 * whitespace and one that does not start with it (the patterns look ahead only at whitespace), so
 * the sum of the pieces' counts is the count of the whole. A single pre-token longer than `maxPiece`
 * (a run of CJK, base64) is cut every `maxPiece` characters: there each cut may shift the count by a
 * token or so, the price of a bounded cost.
 */
function* pieces(text: string, split: RegExp): Generator<readonly [number, number]> {
  let start = 0;
  let safe = 0;
  split.lastIndex = 0;
  for (let match = split.exec(text); match !== null; match = split.exec(text)) {
    const at = match.index;
    const end = at + match[0].length;
    if (end === at) {
      split.lastIndex += 1;
      continue;
    }
    if (at > start && !isSpace(text.charCodeAt(at - 1)) && !isSpace(text.charCodeAt(at))) safe = at;
    while (end - start > maxPiece) {
      // Cut at the last safe point if there is one, else inside this long pre-token.
      let cut = safe > start ? safe : start + maxPiece;
      if (cut === start + maxPiece && (text.charCodeAt(cut - 1) & 0xfc00) === 0xd800) cut -= 1;
      yield [start, cut];
      start = cut;
    }
  }
  if (start < text.length) yield [start, text.length];
}

// Message roles are counted in every message of every request: their counts are known up front.
const roleWords = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

// Exact counts of recent texts, per encoding (shared by every model and step using it): about 4 MB at most.
const countCaches = new Map<EncodingName, TokenCountCache>();
const cacheBounds = { maxEntries: 4096, maxChars: 2_000_000, maxTextLength: 65_536 };

function countCache(name: EncodingName): TokenCountCache {
  let cache = countCaches.get(name);
  if (cache === undefined) {
    cache = new TokenCountCache(cacheBounds);
    countCaches.set(name, cache);
  }
  return cache;
}

function exactCounter(name: EncodingName, encoding: Encoding): TextCounter {
  const roles = new Map<string, number>(roleWords.map((role) => [role, encoding.countTokens(role, asText)]));
  const cache = countCache(name);
  return {
    tokenizer: name,
    count(text, budget) {
      if (text.length === 0) return 0;
      // Past the deadline every text is estimated, as the first piece of an uncounted text would be.
      if (budget.exhausted || performance.now() > budget.deadline) {
        budget.exhausted = true;
        return conservativeTokenEstimate(text);
      }
      const known = roles.get(text) ?? cache.get(text);
      if (known !== undefined) return known;
      // A text no longer than one piece is one piece (see pieces()): no need to split it first.
      if (text.length <= maxPiece) {
        const tokens = encoding.countTokens(text, asText);
        cache.set(text, tokens);
        return tokens;
      }
      let total = 0;
      for (const [start, end] of pieces(text, encoding.split)) {
        if (budget.exhausted || performance.now() > budget.deadline) {
          budget.exhausted = true;
          return total + conservativeTokenEstimate(text.slice(start));
        }
        total += encoding.countTokens(text.slice(start, end), asText);
      }
      // Only a count finished within the budget is exact, and only an exact one is kept.
      cache.set(text, total);
      return total;
    },
  };
}

const estimating: TextCounter = { tokenizer: 'estimate', count: (text) => conservativeTokenEstimate(text) };

function customCounter(counter: TokenCounter): TextCounter {
  return {
    tokenizer: 'custom',
    count(text) {
      let tokens: number;
      try {
        tokens = counter(text);
      } catch {
        tokens = Number.NaN;
      }
      // An app's counter that throws or returns nonsense must not turn into a free or a NaN reservation.
      return Number.isSafeInteger(tokens) && tokens >= 0 ? tokens : conservativeTokenEstimate(text);
    },
  };
}

/**
 * The counter for a model's tokenizer, loading its encoding on first use.
 *
 * @example
 * const counter = await textCounter('o200k_base');
 * counter.count('Hello, world!', { deadline: performance.now() + 50, exhausted: false }) // 4
 */
export async function textCounter(tokenizer: TokenizerName | TokenCounter): Promise<TextCounter> {
  if (typeof tokenizer === 'function') return customCounter(tokenizer);
  if (tokenizer === 'estimate') return estimating;
  return exactCounter(tokenizer, await loadEncoding(tokenizer));
}
