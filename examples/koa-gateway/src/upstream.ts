// The model client: a real OpenAI-compatible upstream from the environment, or the built-in stub.
import OpenAI from 'openai';
import { startStubUpstream, type StubUpstream } from '@tollgate/core/stub-upstream';

export interface Upstream {
  readonly client: OpenAI;
  /** Set when the built-in stub answers instead of a real provider. */
  readonly stub: StubUpstream | undefined;
}

/**
 * OPENAI_BASE_URL / OPENAI_API_KEY select a real upstream (OpenAI, vLLM, Ollama, …). Without them a
 * deterministic stub runs on loopback, so the example works offline. The key stays server-side.
 */
export async function connectUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Upstream> {
  if (env['OPENAI_BASE_URL'] !== undefined && env['OPENAI_BASE_URL'] !== '') {
    return { client: new OpenAI({ baseURL: env['OPENAI_BASE_URL'], apiKey: env['OPENAI_API_KEY'] ?? '', maxRetries: 1 }), stub: undefined };
  }
  const stub = await startStubUpstream();
  return { client: new OpenAI({ baseURL: stub.url, apiKey: 'stub-upstream-needs-no-key', maxRetries: 0 }), stub };
}
