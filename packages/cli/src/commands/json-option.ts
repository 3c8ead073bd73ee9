// JSON objects given on the command line (`--limits '{"requestsPerMinute":60}'`) or from a file (`--limits @limits.json`).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type CliIo } from '../command.js';

/**
 * The object an option names: inline JSON, or `@file` with JSON in it; a usage error for anything else.
 *
 * @example
 * jsonObjectOption('{"requestsPerMinute": 60}', '--limits', io) // { requestsPerMinute: 60 }
 */
export function jsonObjectOption(text: string, option: string, io: CliIo): Record<string, unknown> {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(resolve(io.cwd, text.slice(1)), 'utf8');
    } catch (error) {
      throw new UsageError(`${option}: cannot read ${text.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new UsageError(`${option} must be a JSON object (or @file holding one): ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${option} must be a JSON object, not ${Array.isArray(value) ? 'an array' : String(value)}`);
  return value as Record<string, unknown>;
}
