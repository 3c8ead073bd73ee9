// The texts of a validated prompt, each with its path and author, for content checks.
import type { PromptText } from './content-check.js';
import type { ValidatedBody } from './request-schemas.js';

type Part = { readonly type: string; readonly text?: unknown; readonly content?: unknown; readonly output?: unknown };

function fromParts(parts: readonly Part[], param: string, role: string, out: PromptText[]): void {
  parts.forEach((part, index) => {
    if (typeof part.text === 'string') out.push({ param: `${param}[${index}].text`, role, text: part.text });
    // Anthropic tool results nest their own blocks: what a tool returned is third-party text.
    if (part.type === 'tool_result') {
      if (typeof part.content === 'string') out.push({ param: `${param}[${index}].content`, role: 'tool', text: part.content });
      else if (Array.isArray(part.content)) fromParts(part.content as Part[], `${param}[${index}].content`, 'tool', out);
    }
  });
}

function fromContent(content: unknown, param: string, role: string, out: PromptText[]): void {
  if (typeof content === 'string') out.push({ param, role, text: content });
  else if (Array.isArray(content)) fromParts(content as Part[], param, role, out);
}

/**
 * Every text of a prompt, in body order.
 *
 * @example
 * promptTexts({ api: 'chat', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } })
 * // [{ param: 'messages[0].content', role: 'user', text: 'hi' }]
 */
export function promptTexts(request: ValidatedBody): PromptText[] {
  const out: PromptText[] = [];
  switch (request.api) {
    case 'chat':
      request.body.messages.forEach((message, index) => fromContent(message.content, `messages[${index}].content`, message.role, out));
      break;
    case 'responses': {
      const { instructions, input } = request.body;
      if (typeof instructions === 'string') out.push({ param: 'instructions', role: 'developer', text: instructions });
      if (typeof input === 'string') out.push({ param: 'input', role: 'user', text: input });
      else {
        (input ?? []).forEach((item, index) => {
          const param = `input[${index}]`;
          if ('role' in item && typeof item.role === 'string') fromContent(item.content, `${param}.content`, item.role, out);
          else fromContent((item as Part).output, `${param}.output`, 'tool', out);
        });
      }
      break;
    }
    case 'anthropic_messages': {
      const { system, messages } = request.body;
      fromContent(system, 'system', 'system', out);
      messages.forEach((message, index) => fromContent(message.content, `messages[${index}].content`, message.role, out));
      break;
    }
    case 'completions':
      fromPrompt(request.body.prompt, 'prompt', out);
      break;
    case 'embeddings':
      fromPrompt(request.body.input, 'input', out);
      break;
  }
  return out;
}

function fromPrompt(value: unknown, param: string, out: PromptText[]): void {
  if (typeof value === 'string') out.push({ param, role: 'user', text: value });
  else if (Array.isArray(value)) value.forEach((item, index) => typeof item === 'string' && out.push({ param: `${param}[${index}]`, role: 'user', text: item }));
}
