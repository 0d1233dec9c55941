/**
 * The code sent to start a recording (like `mpremote run`): install the dump timer, then run
 * the user's program. One raw-REPL exec for everything, so no dump can land in the middle of
 * the protocol's own bytes.
 */
import { pyStr } from '../board/install/installFile';
import { HELPER_MODULE } from '../board/install/installHelper';

export type LaunchProgram =
  /** A file already on the board (`main.py`), run as `__main__`. */
  | { kind: 'file'; file: string }
  /** A program from this computer, sent inside the launcher: nothing is written to the board. */
  | { kind: 'source'; source: Uint8Array; name: string }
  /** Only start the dumps. */
  | { kind: 'none' };

export interface LauncherOptions {
  program: LaunchProgram;
  periodMs: number;
  collect: boolean;
  /** When set, the helper's source travels in the launcher (read-only filesystem). */
  helperSource?: Uint8Array | null;
  /**
   * timer (default): a dump every period (needs machine.Timer and micropython.schedule);
   * once: one dump at the start, then only where the program calls mem_dump.dump().
   */
  dumps?: 'timer' | 'once';
}

/** Lines the launcher puts before a `source` program (tracebacks count them). */
export function launcherPreambleLines(opts: LauncherOptions): number {
  return prefix(opts).split('\n').length - 1;
}

function prefix(opts: LauncherOptions): string {
  const period = Math.max(1, Math.round(opts.periodMs));
  const collect = opts.collect ? 1 : 0;
  const call = opts.dumps === 'once' ? `dump(${collect})` : `start_timer(${period},${collect})`;
  // From RAM, the helper's top level ran in __main__: its functions are globals.
  if (opts.helperSource) return `${call}\n`;
  return `import ${HELPER_MODULE};${HELPER_MODULE}.${call}\n`;
}

export function buildLauncher(opts: LauncherOptions): Uint8Array {
  const parts: Uint8Array[] = [];
  if (opts.helperSource) {
    parts.push(opts.helperSource);
    if (opts.helperSource[opts.helperSource.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  }
  parts.push(Buffer.from(prefix(opts), 'utf8'));
  const p = opts.program;
  if (p.kind === 'file') {
    // compile() names the file in tracebacks with its own line numbers; the source string is
    // garbage as soon as it is compiled.
    parts.push(
      Buffer.from(`exec(compile(open(${pyStr(p.file)}).read(),${pyStr(p.file)},'exec'),{'__name__':'__main__'})\n`, 'utf8'),
    );
  } else if (p.kind === 'source') {
    // Sent as is, compiled while it arrives (raw-paste): no copy of the source in board RAM.
    parts.push(p.source);
    if (p.source[p.source.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
