// The stub's deterministic rules: what it replies and how many tokens it says a text costs.
//
// The rules are deliberately simple so that tests and benchmarks can predict every number:
// - a text costs ceil(length / 4) tokens, length in UTF-16 code units (String#length);
// - a chat prompt costs, per message, the tokens of its text plus 3;
// - the reply is "stub reply: " followed by the first 40 characters of the last user message
//   (whitespace collapsed), and each of its whitespace-separated words is one completion token;
// - an embedding input costs the tokens of its text.

/** Tokens a text costs: ceil(length / 4). */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens added per chat message for its role and framing. */
export const tokensPerMessage = 3;

/** A chat message reduced to what the rules read. */
export interface StubMessage {
  readonly role: string;
  /** The message's text; text parts of an array content are joined with a newline. */
  readonly text: string;
}

/** Prompt tokens of a chat request: sum over messages of textTokens(text) + 3. */
export function promptTokens(messages: readonly StubMessage[]): number {
  let total = 0;
  for (const message of messages) total += textTokens(message.text) + tokensPerMessage;
  return total;
}

/** How many characters of the last user message the reply echoes. */
export const echoedCharacters = 40;

/** The fixed start of every reply. */
export const replyPrefix = 'stub reply:';

/** The full reply, as whitespace-separated words (each word is one completion token). */
export function replyWords(messages: readonly StubMessage[]): string[] {
  let lastUser: StubMessage | undefined;
  for (const message of messages) if (message.role === 'user') lastUser = message;
  const collapsed = (lastUser?.text ?? '').trim().replace(/\s+/g, ' ');
  // Slice by code points so an emoji is never cut in half.
  const echoed = Array.from(collapsed).slice(0, echoedCharacters).join('');
  return [...splitWords(replyPrefix), ...splitWords(echoed.length === 0 ? '(empty)' : echoed)];
}

/** The reply cut to at most `maxTokens` words, and whether it was cut. */
export function cappedReply(
  messages: readonly StubMessage[],
  maxTokens: number | undefined,
): { readonly words: readonly string[]; readonly truncated: boolean } {
  const words = replyWords(messages);
  if (maxTokens === undefined || words.length <= maxTokens) return { words, truncated: false };
  return { words: words.slice(0, maxTokens), truncated: true };
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}
