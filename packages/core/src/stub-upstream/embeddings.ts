// Answers `POST /v1/embeddings` with small vectors derived from a hash of each input.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { asObject, invalidRequest, optionalInteger, requireModel, sendJson } from './http-json.js';
import { textTokens } from './usage-rules.js';

/** Length of every vector unless the request asks for `dimensions`. */
export const defaultEmbeddingDimensions = 8;

/** Upper bound for `dimensions`; the stub's vectors are meant to be small. */
const maxDimensions = 256;

/** An embeddings request after validation. */
export interface EmbeddingsRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  /** `base64` is what the `openai` client asks for when the caller sets no format. */
  readonly encoding: 'float' | 'base64';
  readonly dimensions: number;
}

/** Checks the fields the stub uses: `model`, `input` (string or string[]), `encoding_format`, `dimensions`. */
export function parseEmbeddingsRequest(raw: unknown, models: ReadonlySet<string>): EmbeddingsRequest {
  const body = asObject(raw);
  const model = requireModel(body, models);
  const input = body['input'];
  if (input === undefined || input === null) throw invalidRequest("Missing required parameter: 'input'.", 'input');
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((item) => typeof item === 'string')) {
    throw invalidRequest("Invalid 'input': expected a string or a non-empty array of strings.", 'input');
  }
  if (inputs.some((item: string) => item.length === 0)) {
    throw invalidRequest("Invalid 'input': empty strings cannot be embedded.", 'input');
  }
  const format = body['encoding_format'];
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalidRequest("Invalid 'encoding_format': expected 'float' or 'base64'.", 'encoding_format');
  }
  return {
    model,
    inputs: inputs as string[],
    encoding: format === 'base64' ? 'base64' : 'float',
    dimensions: optionalInteger(body, 'dimensions', 1, maxDimensions) ?? defaultEmbeddingDimensions,
  };
}

/**
 * The vector of one input: SHA-256 blocks of the text read as 32-bit unsigned integers, mapped
 * to [-1, 1), scaled to unit length, and rounded to float32 so the float and base64 answers agree.
 */
export function embedText(text: string, dimensions: number): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let offset = 0; offset < digest.length && raw.length < dimensions; offset += 4) {
      raw.push((digest.readUInt32BE(offset) / 2 ** 32) * 2 - 1);
    }
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => Math.fround(value / norm));
}

function base64Float32(vector: readonly number[]): string {
  // OpenAI's base64 embeddings are little-endian float32, whatever this machine's byte order.
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** Sends the embeddings `list`; usage is the sum of each input's tokens (ceil(length / 4)). */
export function sendEmbeddings(res: ServerResponse, request: EmbeddingsRequest): void {
  let tokens = 0;
  const data = request.inputs.map((text, index) => {
    tokens += textTokens(text);
    const vector = embedText(text, request.dimensions);
    return { object: 'embedding', index, embedding: request.encoding === 'base64' ? base64Float32(vector) : vector };
  });
  sendJson(res, 200, {
    object: 'list',
    data,
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
