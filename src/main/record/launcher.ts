/**
 * The code sent to start a recording (like `mpremote run`): start the dumps, then run the
 * user's program. One raw-REPL exec for everything, so no dump can land in the middle of the
 * protocol's own bytes. A helper sent from RAM goes first, in an exec of its own
 * (`ramHelperLoader`), so that the program imports it exactly like an installed one; so does
 * a program from this computer (`programSourceLoader`), so that the launcher can wrap it.
 */
import { decodeUtf8 } from '../board/repl/utf8';
import { pyStr } from '../board/install/installFile';
import { HELPER_MODULE } from '../board/install/installHelper';

export type LaunchProgram =
  /** A file already on the board (`main.py`), run as `__main__`. */
  | { kind: 'file'; file: string }
  /** A program from this computer, sent inside the launcher: nothing is written to the board. */
  | { kind: 'source'; source: Uint8Array; name: string }
  /** Only start the dumps. */
  | { kind: 'none' };

/**
 * How dumps are made on the board:
 * timer: a dump every period (machine.Timer + micropython.schedule);
 * async: a dump every period from a task in the program's asyncio event loop;
 * calls: one dump at the start, then only where the program calls mem_dump.dump().
 */
export type DumpMode = 'timer' | 'async' | 'calls';

export const DUMP_MODE_WORDS: Record<DumpMode, string> = {
  timer: 'a timer on the board',
  async: "an asyncio task in the program's event loop",
  calls: "the program's own mem_dump.dump() calls",
};

export interface LauncherOptions {
  program: LaunchProgram;
  periodMs: number;
  collect: boolean;
  /** Default timer. */
  dumps?: DumpMode;
}

function startCall(opts: LauncherOptions): string {
  const period = Math.max(1, Math.round(opts.periodMs));
  const collect = opts.collect ? 1 : 0;
  const mode = opts.dumps ?? 'timer';
  return mode === 'calls' ? `dump(${collect})` : mode === 'async' ? `start_async(${period},${collect})` : `start_timer(${period},${collect})`;
}

/**
 * A Python str literal for any text: control bytes escaped (a raw \x04 would end the raw-REPL
 * exec, \x03 interrupt it), other characters as they are (UTF-8 source).
 */
export function pyText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return "'" + s.replace(/[\\'\x00-\x1f\x7f]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "\\'" : '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'))) + "'";
}

/**
 * For a program from this computer: an exec of its own, before the launcher, that leaves the
 * program's source in a global. The launcher compiles it under the program's name and frees it.
 */
export function programSourceLoader(p: Extract<LaunchProgram, { kind: 'source' }>): string {
  return `_hs_src=${pyText(decodeUtf8(p.source))}\n`;
}

/**
 * Runs the helper's source in a dict of its own (not `__main__`, where the program's names
 * would clash with the helper's) and registers it in `sys.modules`: `import mem_dump` then
 * works as with the file. A module object cannot be made from Python on MicroPython, so the
 * helper's names are put on a class, which `import` returns as it is.
 */
export function ramHelperLoader(source: Uint8Array): string {
  return [
    'import sys',
    `_hs_g={'__name__':'${HELPER_MODULE}'}`,
    `exec(${pyText(decodeUtf8(source))},_hs_g)`,
    `class ${HELPER_MODULE}:`,
    ' pass',
    'for _hs_k in _hs_g:',
    " if _hs_k[:2]!='__':setattr(" + HELPER_MODULE + ',_hs_k,_hs_g[_hs_k])',
    `sys.modules['${HELPER_MODULE}']=${HELPER_MODULE}`,
    `del _hs_g,_hs_k,${HELPER_MODULE}`,
    '',
  ].join('\n');
}

/**
 * `guard(1)`: a dump defers Ctrl-C (no dump is cut); the `finally` turns that off and stops the
 * dumps before the REPL's prompt comes back, whatever ended the program.
 */
export function buildLauncher(opts: LauncherOptions): Uint8Array {
  const m = HELPER_MODULE;
  const p = opts.program;
  const lines = [`import ${m}`, `${m}.guard(1)`, `${m}.${startCall(opts)}`];
  if (p.kind === 'file') {
    // compile() names the file in tracebacks with its own line numbers; the source string is
    // garbage as soon as it is compiled.
    lines.push('try:', ` exec(compile(open(${pyStr(p.file)}).read(),${pyStr(p.file)},'exec'),{'__name__':'__main__'})`);
  } else if (p.kind === 'source') {
    // The source sent by programSourceLoader: compiled under its own name, then freed.
    lines.push(`_hs_c=compile(_hs_src,${pyStr(p.name)},'exec')`, 'del _hs_src', 'try:', " exec(_hs_c,{'__name__':'__main__'})");
  } else {
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }
  lines.push('finally:', ` ${m}._end()`, '');
  return Buffer.from(lines.join('\n'), 'utf8');
}
