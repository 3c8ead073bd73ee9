// A baseline prompt-injection detector: a handful of phrase patterns. A starting point, not a defence on its own.
import { ConfigError } from '../errors/tollgate-error.js';
import type { ContentDetector, ContentVerdict } from './content-check.js';

/** Options of {@link heuristicInjectionDetector}. */
export interface HeuristicInjectionOptions {
  /** What a match does. @default 'flag' */
  readonly action?: 'flag' | 'deny';
  /** Roles whose texts are scanned; the app's own system prompt is not. @default ['user', 'tool'] */
  readonly roles?: readonly string[];
  /** Extra patterns, by name. Keep them linear (no nested quantifiers): they run on every request. */
  readonly patterns?: Readonly<Record<string, RegExp>>;
}

/**
 * The built-in patterns. Each is bounded (`{0,40}` gaps, no nested quantifiers), so the scan is linear
 * in the text whatever it contains.
 */
export const baselineInjectionPatterns: Readonly<Record<string, RegExp>> = Object.freeze({
  'ignore-instructions':
    /\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|preceding|all|any|your|the|system)\b[^.\n]{0,20}?\b(?:instructions?|prompts?|rules|directions|guidelines|directives)\b/i,
  'reveal-system-prompt':
    /\b(?:reveal|show|print|repeat|output|display|tell me|leak|dump)\b[^.\n]{0,30}?\b(?:system|hidden|initial|original|secret|developer)\s+(?:prompt|instructions?|message)\b/i,
  'role-override':
    /\b(?:you are now|from now on,? you|act as|pretend (?:to be|you are)|roleplay as)\b[^.\n]{0,40}?\b(?:DAN|jailbr[eo]ken|developer mode|unrestricted|unfiltered|no (?:rules|restrictions|limits|filters))\b/i,
  'chat-markup': /<\|(?:im_start|im_end|im_sep|system|endoftext|start|end|message|channel)\|>|\[\/?INST\]|<<\/?SYS>>/i,
  'new-instructions': /\b(?:new|updated|real|actual|override)\s+(?:system\s+)?instructions?\s*:/i,
  jailbreak: /\bjailbreak(?:ing)?\b|\bDAN mode\b|\bdeveloper mode (?:enabled|on)\b/i,
});

/**
 * A baseline prompt-injection detector: flags (or denies) texts from the listed roles that match well
 * known injection phrases (ignore previous instructions, reveal the system prompt, chat-template
 * markup, jailbreak personas). It is documented as a baseline: it catches copy-pasted attacks and
 * nothing clever, and it will flag some harmless texts that quote them. Plug in a real classifier
 * through `contentCheck.detector` for anything more.
 *
 * @example
 * validateRequest({ models, contentCheck: { detector: heuristicInjectionDetector({ action: 'flag' }) } });
 */
export function heuristicInjectionDetector(options: HeuristicInjectionOptions = {}): ContentDetector {
  const action = options.action ?? 'flag';
  if (action !== 'flag' && action !== 'deny') throw new ConfigError(`heuristicInjectionDetector: action must be "flag" or "deny"; got ${JSON.stringify(action)}`);
  const roles = new Set(options.roles ?? ['user', 'tool']);
  const patterns = Object.entries({ ...baselineInjectionPatterns, ...options.patterns });
  for (const [name, pattern] of patterns) {
    if (!(pattern instanceof RegExp)) throw new ConfigError(`heuristicInjectionDetector: patterns.${name} must be a RegExp`);
  }
  // Stateless copies: a caller's /g or /y pattern would otherwise carry lastIndex between requests.
  const compiled = patterns.map(([name, pattern]) => [name, new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))] as const);
  return (input): ContentVerdict => {
    for (const text of input.texts) {
      if (!roles.has(text.role)) continue;
      for (const [name, pattern] of compiled) {
        if (pattern.test(text.text)) return { action, reason: `prompt-injection pattern "${name}"`, param: text.param };
      }
    }
    return { action: 'pass' };
  };
}
