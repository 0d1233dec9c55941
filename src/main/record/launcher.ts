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
}

/** Lines the launcher puts before a `source` program (tracebacks count them). */
export function launcherPreambleLines(opts: LauncherOptions): number {
  return prefix(opts).split('\n').length - 1;
}

function prefix(opts: LauncherOptions): string {
  const period = Math.max(1, Math.round(opts.periodMs));
  const collect = opts.collect ? 1 : 0;
  if (opts.helperSource) {
    // The helper's own top level runs in __main__; its start_timer is then a global.
    return `start_timer(${period},${collect})\n`;
  }
  return `import ${HELPER_MODULE};${HELPER_MODULE}.start_timer(${period},${collect})\n`;
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
