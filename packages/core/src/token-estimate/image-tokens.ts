// What an image in a prompt costs, by the providers' documented formulas; an image of unknown size costs the most it could.
import { inlineImageSize, type ImageSize } from './image-size.js';

/** How closely the model looks at an image (OpenAI `detail`). */
export type ImageDetail = 'low' | 'high' | 'auto';

interface TileRule {
  readonly kind: 'tiles';
  readonly base: number;
  readonly perTile: number;
}

interface PatchRule {
  readonly kind: 'patches';
  readonly multiplier: number;
}

// OpenAI's vision guide: 32-px patches (capped at 1536) times a multiplier for these families;
// 512-px tiles for the others, with gpt-4o-mini's own constants.
const patchFamilies: ReadonlyArray<readonly [RegExp, number]> = [
  [/^gpt-4\.1-mini|^gpt-5-mini/, 1.62],
  [/^gpt-4\.1-nano|^gpt-5-nano/, 2.46],
  [/^o4-mini/, 1.72],
];

function ruleFor(model: string): TileRule | PatchRule {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  for (const [family, multiplier] of patchFamilies) if (family.test(bare)) return { kind: 'patches', multiplier };
  if (/^gpt-4o-mini/.test(bare)) return { kind: 'tiles', base: 2833, perTile: 5667 };
  return { kind: 'tiles', base: 85, perTile: 170 };
}

function scaled(size: ImageSize, factor: number): ImageSize {
  return factor >= 1 ? size : { width: Math.floor(size.width * factor), height: Math.floor(size.height * factor) };
}

function tileTokens(rule: TileRule, detail: ImageDetail, size: ImageSize | undefined): number {
  if (detail === 'low') return rule.base;
  // Unknown size: the most tiles a high-detail image can have (768 × 2048 after scaling: 2 × 4).
  if (size === undefined) return rule.base + rule.perTile * 8;
  let fitted = scaled(size, Math.min(1, 2048 / Math.max(size.width, size.height)));
  fitted = scaled(fitted, Math.min(1, 768 / Math.min(fitted.width, fitted.height)));
  const tiles = Math.ceil(fitted.width / 512) * Math.ceil(fitted.height / 512);
  return rule.base + rule.perTile * tiles;
}

function patchTokens(rule: PatchRule, size: ImageSize | undefined): number {
  const maxPatches = 1536;
  let patches = maxPatches;
  if (size !== undefined) {
    patches = Math.ceil(size.width / 32) * Math.ceil(size.height / 32);
    if (patches > maxPatches) {
      const shrink = Math.sqrt((maxPatches * 32 * 32) / (size.width * size.height));
      patches = Math.min(maxPatches, Math.ceil((size.width * shrink) / 32) * Math.ceil((size.height * shrink) / 32));
    }
  }
  return Math.ceil(patches * rule.multiplier);
}

/**
 * Tokens OpenAI bills for one image input, from the `data:` URL's header when inline; a remote URL
 * counts as the largest image its detail level allows.
 *
 * @example
 * openAiImageTokens('gpt-4o', 'https://example.com/cat.png', 'low') // 85
 * openAiImageTokens('gpt-4o', 'https://example.com/cat.png', 'high') // 1445
 */
export function openAiImageTokens(model: string, url: string, detail: ImageDetail | undefined): number {
  const rule = ruleFor(model);
  const size = inlineImageSize(url);
  return rule.kind === 'tiles' ? tileTokens(rule, detail ?? 'auto', size) : patchTokens(rule, size);
}

/** The most an Anthropic image costs: larger images are scaled down to about 1,600 tokens first. */
export const anthropicMaxImageTokens = 1600;

/**
 * Tokens Anthropic bills for one image: ⌈width × height / 750⌉ after its resize to at most 1568 px on
 * the long edge, and at most 1,600 (larger images are scaled down); the maximum when the size is
 * unknown (URLs, files).
 *
 * @example
 * anthropicImageTokens({ type: 'url', url: 'https://example.com/a.png' }) // 1600
 */
export function anthropicImageTokens(source: { readonly type: string; readonly data?: unknown }): number {
  const size = source.type === 'base64' && typeof source.data === 'string' ? inlineImageSize(source.data, true) : undefined;
  if (size === undefined) return anthropicMaxImageTokens;
  const fitted = scaled(size, Math.min(1, 1568 / Math.max(size.width, size.height)));
  return Math.min(anthropicMaxImageTokens, Math.ceil((fitted.width * fitted.height) / 750));
}
