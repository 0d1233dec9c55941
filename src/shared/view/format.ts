/** How numbers read in the window: sizes in bytes and blocks, times as device and wall clock. */

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

/** 1234567 → "1 234 567" (thin spaces read well in tables of any locale). */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const s = Math.round(n).toString();
  return s.replace(GROUP, '\u2009');
}

export function signed(n: number): string {
  if (n === 0) return '0';
  return (n > 0 ? '+' : '−') + int(Math.abs(n));
}

/** Bytes with a binary unit: 532 B, 14.2 KiB, 7.9 MiB. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  const sign = n < 0 ? '−' : '';
  if (a < 1024) return `${sign}${a} B`;
  if (a < 1024 * 1024) return `${sign}${(a / 1024).toFixed(a < 10240 ? 2 : 1)} KiB`;
  if (a < 1024 ** 3) return `${sign}${(a / 1024 ** 2).toFixed(2)} MiB`;
  return `${sign}${(a / 1024 ** 3).toFixed(2)} GiB`;
}

export function signedBytes(n: number): string {
  return n > 0 ? '+' + bytes(n) : bytes(n);
}

/** Seconds as m:ss.s or h:mm:ss. */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const neg = sec < 0;
  let s = Math.abs(sec);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s.toFixed(0).padStart(2, '0')}` : `${m}:${s.toFixed(1).padStart(4, '0')}`;
  return (neg ? '−' : '') + body;
}

/** Wall clock of a host time in ms since the epoch: 14:03:27.412 */
export function clock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  const p = (v: number, n = 2) => String(v).padStart(n, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function percent(f: number | null | undefined, digits = 1): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return '—';
  return `${(f * 100).toFixed(digits)} %`;
}

/** Names of the head letters, short, for legends and tables. */
export const KIND_NAMES: Readonly<Record<string, string>> = {
  h: 'other',
  T: 'tuple',
  L: 'list',
  D: 'dict',
  S: 'str / bytes',
  A: 'bytearray / array',
  F: 'float',
  B: 'bytecode fn',
  M: 'module',
  m: 'marked',
};

export function kindName(letter: string): string {
  return KIND_NAMES[letter] ?? `other head “${letter}”`;
}

/** The order kinds are listed in legends and stacks. */
export const KIND_ORDER = ['h', 'S', 'L', 'T', 'D', 'A', 'B', 'F', 'M', 'm'];

export function sortKinds(letters: Iterable<string>): string[] {
  const rank = (l: string) => {
    const i = KIND_ORDER.indexOf(l);
    return i < 0 ? 100 + l.charCodeAt(0) : i;
  };
  return [...new Set(letters)].sort((a, b) => rank(a) - rank(b));
}
