/**
 * Map colours for the current theme, as the rasterizer wants them (0xAABBGGRR by block code),
 * plus CSS strings for legends, charts and outlines. The kind colours come from the shared
 * colour-blind-safe palette (the PNG export uses the same one).
 */
import { hexColor, type RasterPalette } from '../../shared/view/rasterize';
import { cssColour, tailTint, type RGB } from '../../shared/heap/palette';
import { AGE_BUCKETS, AGE_CODE } from '../../shared/lifetimes/ageMap';
import { kindPalette, type Theme } from './palette';

/**
 * Age colours, youngest first: viridis from yellow to deep purple (colour-blind safe, and it
 * reads young-to-old in greyscale too, light to dark).
 */
export const AGE_RAMP = ['#fde725', '#a0da39', '#4ac16d', '#1fa187', '#277f8e', '#365c8d', '#46327e', '#440154'];
const AGE_UNTRACKED_CSS = '#8a8f96';

const rgbOf = (css: string): RGB => [parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16)];

export type { Theme };

export interface ThemeColours {
  theme: Theme;
  tintTails: boolean;
  tail: string;
  raster: RasterPalette;
  /** The "age" colouring: heads coded by age bucket (src/shared/lifetimes/ageMap.ts). */
  ageRaster: RasterPalette;
  /** CSS colour of each age bucket, youngest first. */
  age: string[];
  ageUntracked: string;
  /** CSS colour of a head kind by letter (unknown letters share one colour). */
  kind: (letter: string) => string;
  free: string;
  unknown: string;
  allocated: string;
  freed: string;
  same: string;
  largestRun: string;
  text: string;
  muted: string;
  grid: string;
  panel: string;
  /** Series colours for the timeline. */
  used: string;
  freeLine: string;
  largestLine: string;
}


const cache = new Map<string, ThemeColours>();

/**
 * `tintTails`: a tail takes a paler shade of its head's colour (an object reads as one bar
 * of its kind, as in the PNG and GIF exports); off, every tail is the palette's one neutral colour.
 */
export function themeColours(theme: Theme, tintTails = true): ThemeColours {
  const key = `${theme}:${tintTails}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const p = kindPalette(theme);
  const head = new Uint32Array(128);
  const tail = new Uint32Array(128);
  for (let c = 0; c < 128; c++) {
    const letter = String.fromCharCode(c);
    const css = p.kinds[letter] ?? p.otherHead;
    head[c] = hexColor(css);
    tail[c] = hexColor(tintTails ? cssColour(tailTint(rgbOf(css), theme)) : p.tail);
  }
  const raster: RasterPalette = {
    head,
    tail,
    free: hexColor(p.free),
    unknown: hexColor(p.unknown),
    background: hexColor(p.background),
    grid: hexColor(p.background),
    allocated: hexColor(p.allocated),
    freed: hexColor(p.freed),
    same: hexColor(p.same),
  };
  const ageHead = new Uint32Array(128);
  const ageTail = new Uint32Array(128);
  for (let b = 0; b <= AGE_BUCKETS; b++) {
    const css = b < AGE_BUCKETS ? AGE_RAMP[b] : AGE_UNTRACKED_CSS;
    ageHead[AGE_CODE + b] = hexColor(css);
    ageTail[AGE_CODE + b] = hexColor(tintTails ? cssColour(tailTint(rgbOf(css), theme)) : p.tail);
  }
  const ageRaster: RasterPalette = { ...raster, head: ageHead, tail: ageTail };
  const t: ThemeColours = {
    theme,
    tintTails,
    tail: p.tail,
    raster,
    ageRaster,
    age: AGE_RAMP,
    ageUntracked: AGE_UNTRACKED_CSS,
    kind: (l) => p.kinds[l] ?? p.otherHead,
    free: p.free,
    unknown: p.unknown,
    allocated: p.allocated,
    freed: p.freed,
    same: p.same,
    largestRun: p.largestRun,
    text: theme === 'dark' ? '#e2e5e9' : '#1b2026',
    muted: theme === 'dark' ? '#9aa3ad' : '#5b6570',
    grid: theme === 'dark' ? '#2e3238' : '#e3e6ea',
    panel: p.background,
    used: p.used,
    freeLine: p.freeLine,
    largestLine: p.largestLine,
  };
  cache.set(key, t);
  return t;
}
