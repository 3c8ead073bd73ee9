// Reads the pixel size of an inline image (PNG, GIF, JPEG, WebP) from its first bytes, never decoding pixels.

/** Width and height in pixels. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** How much of an inline image is decoded to find its size; JPEG headers may sit after metadata. */
const maxHeaderBytes = 65_536;

function u16be(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32be(bytes: Uint8Array, at: number): number {
  return u16be(bytes, at) * 65_536 + u16be(bytes, at + 2);
}

function u16le(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(bytes, at + 5), width: u16be(bytes, at + 7) };
    }
    at += 2 + u16be(bytes, at + 2);
  }
  return undefined;
}

function webpSize(bytes: Uint8Array): ImageSize | undefined {
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8 ' && bytes.length >= 30) return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16)) + 1, height: (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16)) + 1 };
  }
  return undefined;
}

/**
 * The size of an image from its leading bytes, or undefined for other formats and truncated headers.
 *
 * @example
 * imageSizeOf(pngBytes) // { width: 1024, height: 768 }
 */
export function imageSizeOf(bytes: Uint8Array): ImageSize | undefined {
  let size: ImageSize | undefined;
  if (bytes.length >= 24 && u32be(bytes, 0) === 0x89504e47) size = { width: u32be(bytes, 16), height: u32be(bytes, 20) };
  else if (bytes.length >= 10 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) size = { width: u16le(bytes, 6), height: u16le(bytes, 8) };
  else if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) size = jpegSize(bytes);
  else if (bytes.length >= 16 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') size = webpSize(bytes);
  if (size === undefined || size.width < 1 || size.height < 1) return undefined;
  return size;
}

const dataUrl = /^data:image\/[a-z0-9.+-]+;base64,/i;

/**
 * The size of a base64 image (a `data:image/…;base64,` URL or bare base64), decoding at most its first
 * 64 KiB; undefined for remote URLs and anything unreadable.
 *
 * @example
 * inlineImageSize('data:image/png;base64,iVBORw0KGgo…') // { width: 1, height: 1 }
 */
export function inlineImageSize(source: string, bare = false): ImageSize | undefined {
  const match = dataUrl.exec(source.slice(0, 128));
  if (match === null && !bare) return undefined;
  const start = match === null ? 0 : match[0].length;
  // 4 base64 characters make 3 bytes; a whole number of quads keeps the decode aligned.
  const slice = source.slice(start, start + Math.ceil(maxHeaderBytes / 3) * 4);
  let binary: string;
  try {
    binary = atob(slice.slice(0, slice.length - (slice.length % 4)));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return imageSizeOf(bytes);
}
