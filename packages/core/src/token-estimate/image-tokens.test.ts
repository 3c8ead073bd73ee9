// Image costs against the providers' worked examples (fixture), and the header sniffing behind them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageSizeOf, inlineImageSize } from './image-size.js';
import { anthropicImageTokens, anthropicMaxImageTokens, openAiImageTokens } from './image-tokens.js';

interface ImageCase {
  readonly provider: 'openai' | 'anthropic';
  readonly model?: string;
  readonly width: number;
  readonly height: number;
  readonly detail?: 'low' | 'high';
  readonly tokens: number;
}
const { images } = JSON.parse(readFileSync(new URL('./fixtures/prompt-token-counts.json', import.meta.url), 'utf8')) as { images: ImageCase[] };

/** The first bytes of a PNG of the given size: signature and IHDR. */
function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

/** SOI, an APP0 segment to skip, then SOF0 with the size. */
function jpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof0, 0, 0, 0, 0]);
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const dataUrl = (bytes: Uint8Array, type = 'png'): string => `data:image/${type};base64,${base64(bytes)}`;

describe('image sizes from inline headers', () => {
  it('reads PNG, JPEG, GIF and WebP headers', () => {
    expect(imageSizeOf(png(640, 480))).toEqual({ width: 640, height: 480 });
    expect(imageSizeOf(jpeg(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    expect(imageSizeOf(Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]))).toEqual({ width: 320, height: 240 });
    const vp8x = new Uint8Array(30);
    vp8x.set([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8X')]);
    vp8x.set([0x7f, 0x02, 0x00, 0xdf, 0x01, 0x00], 24);
    expect(imageSizeOf(vp8x)).toEqual({ width: 640, height: 480 });
  });

  it('answers undefined, never throws, for remote URLs, truncated or hostile data', () => {
    expect(inlineImageSize('https://example.com/cat.png')).toBeUndefined();
    expect(inlineImageSize('data:image/png;base64,!!!not base64!!!')).toBeUndefined();
    expect(inlineImageSize(`data:image/png;base64,${base64(png(10, 10)).slice(0, 12)}`)).toBeUndefined();
    expect(imageSizeOf(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]))).toBeUndefined();
    expect(imageSizeOf(png(0, 100))).toBeUndefined();
    expect(imageSizeOf(new Uint8Array(0))).toBeUndefined();
  });
});

describe('image tokens', () => {
  it.each(images.map((c) => [`${c.provider} ${c.width}x${c.height} ${c.detail ?? ''}`, c] as const))('matches the provider worked example: %s', (_name, c) => {
    if (c.provider === 'openai') expect(openAiImageTokens(c.model!, dataUrl(png(c.width, c.height)), c.detail)).toBe(c.tokens);
    else expect(anthropicImageTokens({ type: 'base64', data: base64(png(c.width, c.height)) })).toBe(c.tokens);
  });

  it('charges an image of unknown size the most its detail level allows', () => {
    expect(openAiImageTokens('gpt-4o', 'https://example.com/a.png', 'high')).toBe(85 + 170 * 8);
    expect(openAiImageTokens('gpt-4o', 'https://example.com/a.png', undefined)).toBe(85 + 170 * 8);
    expect(openAiImageTokens('gpt-4o', 'https://example.com/a.png', 'low')).toBe(85);
    expect(openAiImageTokens('gpt-4o-mini', 'https://example.com/a.png', 'low')).toBe(2833);
    expect(openAiImageTokens('gpt-4.1-mini', 'https://example.com/a.png', 'high')).toBe(Math.ceil(1536 * 1.62));
    expect(anthropicImageTokens({ type: 'url' })).toBe(anthropicMaxImageTokens);
  });

  it('scales large images down before counting (JPEG and patch-based models too)', () => {
    expect(openAiImageTokens('gpt-4o', dataUrl(jpeg(4096, 4096), 'jpeg'), 'high')).toBe(765);
    expect(openAiImageTokens('gpt-4.1-nano', dataUrl(png(64, 64)), 'high')).toBe(Math.ceil(4 * 2.46));
    expect(openAiImageTokens('gpt-4.1-nano', dataUrl(png(8000, 8000)), 'high')).toBeLessThanOrEqual(Math.ceil(1536 * 2.46));
    expect(anthropicImageTokens({ type: 'base64', data: base64(png(5000, 5000)) })).toBe(anthropicMaxImageTokens);
  });
});
