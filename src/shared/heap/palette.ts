/**
 * The heap map's colours, shared by the renderer (canvas) and the exporters (PNG, GIF) so a
 * frame looks the same everywhere. Colour-blind-safe: the typed heads use the Okabe-Ito
 * palette (plus two of Paul Tol's for the 9th/10th kind); free, tail and "other" heads are
 * neutrals told apart by lightness. A tail on its own is one neutral colour; drawn after its
 * head (the window by default, the exports always) it takes a paler shade of the head's
 * colour, `tailTint`. Light and dark variants follow the OS theme.
 *
 * Pure: no Node or DOM imports.
 */
import { FREE, TAIL, HEAD, MARKED } from './blockKinds';

export type Theme = 'light' | 'dark';
export type RGB = readonly [number, number, number];

export interface KindColour {
  /** The block byte (character code), or -1 for "other head letter". */
  code: number;
  /** What the legend shows ("." "=" "h" "T"…, or "other"). */
  letter: string;
  label: string;
  light: RGB;
  dark: RGB;
}

const hex = (s: string): RGB => [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];
const c = (ch: string) => ch.charCodeAt(0);

/** In legend order. */
export const KIND_COLOURS: readonly KindColour[] = [
  { code: FREE, letter: '.', label: 'free', light: hex('#f2f2f2'), dark: hex('#1b1b1b') },
  { code: TAIL, letter: '=', label: 'tail (continues the object before it)', light: hex('#b8b8b8'), dark: hex('#5c5c5c') },
  { code: HEAD, letter: 'h', label: 'other object', light: hex('#56b4e9'), dark: hex('#56b4e9') },
  { code: c('T'), letter: 'T', label: 'tuple', light: hex('#e69f00'), dark: hex('#e69f00') },
  { code: c('L'), letter: 'L', label: 'list', light: hex('#009e73'), dark: hex('#00b386') },
  { code: c('D'), letter: 'D', label: 'dict', light: hex('#0072b2'), dark: hex('#3a9ad9') },
  { code: c('S'), letter: 'S', label: 'str or bytes', light: hex('#d55e00'), dark: hex('#ef7a1f') },
  { code: c('A'), letter: 'A', label: 'bytearray or array', light: hex('#cc79a7'), dark: hex('#e08fbd') },
  { code: c('F'), letter: 'F', label: 'float (boxed)', light: hex('#f0e442'), dark: hex('#f0e442') },
  { code: c('B'), letter: 'B', label: 'bytecode function', light: hex('#332288'), dark: hex('#7a6fd6') },
  { code: c('M'), letter: 'M', label: 'module', light: hex('#882255'), dark: hex('#c25589') },
  { code: MARKED, letter: 'm', label: 'marked head (mid-collection)', light: hex('#000000'), dark: hex('#ffffff') },
  { code: -1, letter: 'other', label: 'other head letter', light: hex('#6e6e6e'), dark: hex('#a0a0a0') },
];

/** Overlays and the compare view. */
export const OVERLAY_COLOURS: Readonly<Record<'allocated' | 'freed' | 'unchanged' | 'largestFree' | 'background' | 'band', { light: RGB; dark: RGB }>> = {
  allocated: { light: hex('#d55e00'), dark: hex('#ef7a1f') },
  freed: { light: hex('#0072b2'), dark: hex('#56b4e9') },
  unchanged: { light: hex('#d9d9d9'), dark: hex('#3a3a3a') },
  largestFree: { light: hex('#009e73'), dark: hex('#00b386') },
  background: { light: hex('#ffffff'), dark: hex('#121212') },
  band: { light: hex('#e0e0e0'), dark: hex('#2a2a2a') },
};

const OTHER = KIND_COLOURS[KIND_COLOURS.length - 1];

/** The colour of a block byte. */
export function kindColour(code: number, theme: Theme = 'light'): RGB {
  for (const k of KIND_COLOURS) if (k.code === code) return k[theme];
  return OTHER[theme];
}

/**
 * The colour of a tail block whose head has colour `head`: a paler shade of it, so an object
 * reads as one bar of its kind (the window's "tint tails", on by default, and the exports).
 */
export function tailTint(head: RGB, theme: Theme = 'light'): RGB {
  const t = KIND_COLOURS[1][theme];
  const f = 0.55;
  return [0, 1, 2].map((i) => Math.round(head[i] + (t[i] - head[i]) * f)) as unknown as RGB;
}

export function cssColour(rgb: RGB): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A 256-entry RGBA lookup table indexed by block byte: `lut[code*4 … code*4+3]`.
 * For fast drawing into ImageData / PNG buffers.
 */
export function paletteRGBA(theme: Theme = 'light'): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  for (let code = 0; code < 256; code++) {
    const [r, g, b] = kindColour(code, theme);
    lut[code * 4] = r;
    lut[code * 4 + 1] = g;
    lut[code * 4 + 2] = b;
    lut[code * 4 + 3] = 255;
  }
  return lut;
}

/** A 32-bit little-endian ABGR lookup (for Uint32Array views of ImageData). */
export function paletteU32(theme: Theme = 'light'): Uint32Array {
  const rgba = paletteRGBA(theme);
  return new Uint32Array(rgba.buffer, rgba.byteOffset, 256);
}
