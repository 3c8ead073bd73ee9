// One zod schema per API, loose or strict at the top level, and the check that turns its first issue into a 400.
import { z } from 'zod';
import { TollgateError } from '../errors/tollgate-error.js';
import { formatJsonPath } from '../request/json-structure.js';
import type { InferenceApi } from './api-route.js';
import { fastChatCheck } from './fast-request-check.js';
import { anthropicMessagesFields, type AnthropicMessagesRequest } from './schemas/anthropic-messages.js';
import { chatFields, type ChatRequest } from './schemas/openai-chat.js';
import { completionsFields, embeddingsFields, type CompletionsRequest, type EmbeddingsRequest } from './schemas/openai-completions.js';
import { responsesFields, type ResponsesRequest } from './schemas/openai-responses.js';

/** A body that passed its API's schema, tagged with the API. */
export type ValidatedBody =
  | { readonly api: 'chat'; readonly body: ChatRequest }
  | { readonly api: 'completions'; readonly body: CompletionsRequest }
  | { readonly api: 'embeddings'; readonly body: EmbeddingsRequest }
  | { readonly api: 'responses'; readonly body: ResponsesRequest }
  | { readonly api: 'anthropic_messages'; readonly body: AnthropicMessagesRequest };

/** What to do with top-level fields a schema does not know. */
export type UnknownFields = 'pass' | 'refuse';

const fieldsByApi = {
  chat: chatFields,
  completions: completionsFields,
  embeddings: embeddingsFields,
  responses: responsesFields,
  anthropic_messages: anthropicMessagesFields,
} as const;

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got furthest before failing. */
function deepest(issue: Issue, prefix: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const candidate = deepest(first, path);
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  // Every branch failed on the value itself (a number where text or parts were expected): say what fits.
  if (best !== undefined && best.path.length === path.length && issue.errors.every((b) => b[0]?.code === 'invalid_type' && b[0].path.length === 0)) {
    const expected = issue.errors.map((b) => (b[0] as { expected?: string }).expected).filter((e): e is string => e !== undefined);
    return { issue: { ...issue, message: `Invalid input: expected ${[...new Set(expected)].join(' or ')}` }, path };
  }
  return best ?? { issue, path };
}

/** A short, client-safe message for an issue; never contains the value sent. */
function describe(issue: Issue, param: string): string {
  const where = param === '' ? 'the request body' : `'${param}'`;
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_union') && 'input' in issue && issue.input === undefined;
  if (missing) return `Missing required parameter: ${where}.`;
  const message = issue.message.length > 200 ? `${issue.message.slice(0, 200)}…` : issue.message;
  return `Invalid ${where}: ${message}.`;
}

/** Turns a zod failure into the 400 a client sees, with `param` naming the offending field. */
function refusal(error: z.ZodError): TollgateError {
  const first = error.issues[0];
  if (first === undefined) return new TollgateError('TG_INVALID_REQUEST');
  if (first.code === 'unrecognized_keys') {
    const key = first.keys[0] ?? '';
    const param = formatJsonPath([...first.path, key]);
    return new TollgateError('TG_UNKNOWN_PARAMETER', { param, message: `Unrecognized request argument supplied: '${param}'.` });
  }
  const { issue, path } = deepest(first, []);
  const param = formatJsonPath(path);
  return new TollgateError('TG_INVALID_REQUEST', { param: param === '' ? null : param, message: describe(issue, param) });
}

/**
 * Builds the checker of each API's body. `unknownFields: 'refuse'` answers a top-level field the
 * schema does not list (nor `allowFields` adds) with 400 `unknown_parameter`; nested objects always
 * let extra fields through, as providers add them often.
 *
 * @example
 * const check = requestChecker('pass', []);
 * check('chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).api // 'chat'
 */
export function requestChecker(unknownFields: UnknownFields, allowFields: readonly string[]): (api: InferenceApi, body: unknown) => ValidatedBody {
  const extra = Object.fromEntries(allowFields.map((name) => [name, z.unknown().optional()]));
  const schemas = new Map<InferenceApi, z.ZodType>();
  for (const [api, fields] of Object.entries(fieldsByApi) as Array<[InferenceApi, z.ZodRawShape]>) {
    schemas.set(api, unknownFields === 'refuse' ? z.strictObject({ ...extra, ...fields }) : z.looseObject(fields));
  }
  // The common chat body is checked without zod; anything else, accepted or not, goes to zod.
  const fastChat = fastChatCheck(chatFields, unknownFields, allowFields);
  return (api, body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TollgateError('TG_INVALID_REQUEST', { message: 'The request body must be a JSON object.' });
    }
    if (api === 'chat' && fastChat(body as Record<string, unknown>)) return { api, body } as ValidatedBody;
    const result = schemas.get(api)!.safeParse(body, { reportInput: true });
    if (!result.success) throw refusal(result.error);
    // The original object, not zod's copy: it is the one the handler forwards, and later steps may edit it.
    return { api, body } as ValidatedBody;
  };
}
