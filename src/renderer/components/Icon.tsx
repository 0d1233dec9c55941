/** Small stroke icons (no icon font, nothing remote). */
const PATHS: Record<string, string> = {
  first: 'M5 4v16M19 5l-10 7 10 7z',
  back10: 'M11 5l-8 7 8 7zM21 5l-8 7 8 7z',
  prev: 'M16 5l-10 7 10 7z',
  play: 'M7 4l13 8-13 8z',
  pause: 'M7 4h4v16H7zM14 4h4v16h-4z',
  next: 'M8 5l10 7-10 7z',
  fwd10: 'M3 5l8 7-8 7zM13 5l8 7-8 7z',
  last: 'M19 4v16M5 5l10 7-10 7z',
  prevEvent: 'M4 4v16M20 12H8M13 7l-5 5 5 5',
  nextEvent: 'M20 4v16M4 12h12M11 7l5 5-5 5',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  close: 'M6 6l12 12M18 6L6 18',
};

const FILLED = new Set(['back10', 'prev', 'play', 'pause', 'next', 'fwd10', 'first', 'last']);

export function Icon({ name, size = 16 }: { name: keyof typeof PATHS | string; size?: number }) {
  const filled = FILLED.has(name);
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={filled ? 1.2 : 2} strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
