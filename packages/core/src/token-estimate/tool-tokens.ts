// Tokens of function (tool) definitions, by the method of OpenAI's cookbook "How to count tokens with tiktoken".
import type { TextCounter, TokenBudget } from './text-tokens.js';

/** A function definition reduced to what is counted. */
export interface FunctionShape {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly parameters?: Readonly<Record<string, unknown>> | null | undefined;
}

/** The cookbook's constants: per function, per property, per enum and at the end. */
interface ToolConstants {
  readonly functionStart: number;
  readonly propertiesStart: number;
  readonly property: number;
  readonly enumStart: number;
  readonly enumItem: number;
  readonly end: number;
}

// gpt-4o and gpt-4o-mini (o200k_base); gpt-3.5-turbo and gpt-4 (cl100k_base, and used for the estimate).
const o200kConstants: ToolConstants = { functionStart: 7, propertiesStart: 3, property: 3, enumStart: -3, enumItem: 3, end: 12 };
const cl100kConstants: ToolConstants = { functionStart: 10, propertiesStart: 3, property: 3, enumStart: -3, enumItem: 3, end: 12 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const withoutFinalDot = (text: string): string => (text.endsWith('.') ? text.slice(0, -1) : text);

/** JSON text of a value, or '' when it cannot be written (a cycle cannot come from a parsed body). */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function propertyTokens(name: string, schema: unknown, constants: ToolConstants, counter: TextCounter, budget: TokenBudget): number {
  if (!isObject(schema)) return constants.property + counter.count(`${name}:${jsonText(schema)}`, budget);
  const { type, description, enum: choices, ...rest } = schema;
  let tokens = constants.property;
  if (Array.isArray(choices)) {
    tokens += constants.enumStart;
    for (const choice of choices) tokens += constants.enumItem + counter.count(typeof choice === 'string' ? choice : jsonText(choice), budget);
  }
  const typeText = typeof type === 'string' ? type : jsonText(type ?? '');
  const descriptionText = typeof description === 'string' ? withoutFinalDot(description) : '';
  tokens += counter.count(`${name}:${typeText}:${descriptionText}`, budget);
  // Nested schemas (items, properties, anyOf, …) are beyond the cookbook's method: their JSON text errs high.
  if (Object.keys(rest).length > 0) tokens += counter.count(jsonText(rest), budget);
  return Math.max(tokens, 1);
}

/**
 * Tokens that function definitions add to a prompt. For flat parameter schemas this is the cookbook's
 * method, which matched the API's own counts there (101 tokens with o200k_base and 105 with
 * cl100k_base for its weather example); anything nested is counted as its JSON text.
 *
 * @example
 * functionTokens([{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }], counter, budget)
 */
export function functionTokens(functions: readonly FunctionShape[], counter: TextCounter, budget: TokenBudget): number {
  if (functions.length === 0) return 0;
  const constants = counter.tokenizer === 'o200k_base' ? o200kConstants : cl100kConstants;
  let tokens = 0;
  for (const fn of functions) {
    tokens += constants.functionStart;
    const description = typeof fn.description === 'string' ? withoutFinalDot(fn.description) : '';
    tokens += counter.count(`${fn.name}:${description}`, budget);
    const parameters = isObject(fn.parameters) ? fn.parameters : {};
    const properties = isObject(parameters['properties']) ? parameters['properties'] : {};
    const names = Object.keys(properties);
    if (names.length > 0) {
      tokens += constants.propertiesStart;
      for (const name of names) tokens += propertyTokens(name, properties[name], constants, counter, budget);
    }
    const { type: _type, properties: _properties, required: _required, ...rest } = parameters;
    if (Object.keys(rest).length > 0) tokens += counter.count(jsonText(rest), budget);
  }
  return tokens + constants.end;
}
