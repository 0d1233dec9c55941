/**
 * The renderer's view of the shared palette (src/shared/heap/palette.ts, which the PNG and
 * GIF exporters use too): CSS colours by kind letter plus the overlay colours, per theme.
 */
import { cssColour, KIND_COLOURS, OVERLAY_COLOURS, type Theme } from '../../shared/heap/palette';

export type { Theme };

export interface KindPalette {
  /** Head colours by letter. */
  kinds: Record<string, string>;
  otherHead: string;
  tail: string;
  free: string;
  unknown: string;
  background: string;
  allocated: string;
  freed: string;
  same: string;
  largestRun: string;
  band: string;
  used: string;
  freeLine: string;
  largestLine: string;
}

export function kindPalette(theme: Theme): KindPalette {
  const kinds: Record<string, string> = {};
  let otherHead = '#808080';
  let tail = '#b8b8b8';
  let free = '#f2f2f2';
  for (const k of KIND_COLOURS) {
    const css = cssColour(k[theme]);
    if (k.letter === '.') free = css;
    else if (k.letter === '=') tail = css;
    else if (k.letter === 'other') otherHead = css;
    else kinds[k.letter] = css;
  }
  const o = (name: keyof typeof OVERLAY_COLOURS) => cssColour(OVERLAY_COLOURS[name][theme]);
  return {
    kinds,
    otherHead,
    tail,
    free,
    unknown: theme === 'dark' ? '#ff6b5e' : '#c9352b',
    background: o('background'),
    allocated: o('allocated'),
    freed: o('freed'),
    same: o('unchanged'),
    largestRun: o('largestFree'),
    band: o('band'),
    used: o('allocated'),
    freeLine: o('freed'),
    largestLine: o('largestFree'),
  };
}
