/**
 * Board-link errors in words, each with what to do about it. The CLI prints `message`
 * (which already contains the advice); the UI can show `advice` on its own line.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

export type BoardErrorKind =
  | 'permission' // EACCES opening the port
  | 'busy' // another program holds the port
  | 'not-found' // no such port
  | 'no-answer' // the port opened but the board never gave us a raw REPL
  | 'timeout' // a read got no bytes before its deadline
  | 'disconnected' // the link went away during an operation
  | 'protocol' // the board answered something we did not expect
  | 'exec' // code ran on the board and raised
  | 'busy-link' // a transaction is already running on this link
  | 'cancelled'
  | 'open-failed'
  | 'unsupported'; // the firmware lacks what was asked for (a Timer, asyncio)

export class BoardError extends Error {
  constructor(
    readonly kind: BoardErrorKind,
    /** What happened, in one sentence. */
    readonly what: string,
    /** What to do about it (may be empty). */
    readonly advice = '',
    /** Bytes received before the failure, for diagnostics. */
    readonly received?: Uint8Array,
  ) {
    super(advice ? `${what} ${advice}` : what);
    this.name = 'BoardError';
  }
}

/** Code that ran on the board raised: `stderr` holds the traceback. */
export class BoardExecError extends BoardError {
  constructor(
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super('exec', `The board raised: ${lastLine(stderr)}`);
    this.name = 'BoardExecError';
  }
  /** errno of an OSError, if the traceback shows one (`OSError: [Errno 30] EROFS`, `OSError: 30`). */
  get errno(): number | null {
    const m = /OSError: (?:\[Errno )?(\d+)/.exec(this.stderr);
    return m ? Number(m[1]) : null;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}

export interface PortHolder {
  pid: number;
  name: string;
}

const KNOWN_HOLDERS: Record<string, string> = {
  screen: 'screen',
  minicom: 'minicom',
  picocom: 'picocom',
  mpremote: 'mpremote',
  rshell: 'rshell',
  ampy: 'ampy',
  thonny: 'Thonny',
  python3: 'a Python program (Thonny, mpremote, rshell…)',
  python: 'a Python program (Thonny, mpremote, rshell…)',
  'arduino-ide': 'the Arduino IDE',
  code: 'VS Code (a serial monitor extension)',
  modemmanager: 'ModemManager',
  brltty: 'brltty (a braille display daemon that grabs CH340/CP210x adapters)',
  putty: 'PuTTY',
  cu: 'cu',
  tio: 'tio',
};

/**
 * Processes that have the device open, found through /proc (Linux only; only the processes
 * this user may look at). Never throws; returns [] where it cannot tell.
 */
export function findPortHolders(path: string): PortHolder[] {
  if (process.platform !== 'linux') return [];
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  const holders: PortHolder[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link === target) {
        let name = '?';
        try {
          name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          /* gone */
        }
        holders.push({ pid: Number(pid), name });
        break;
      }
    }
  }
  return holders;
}

function holderWords(holders: PortHolder[]): string {
  if (holders.length === 0) return '';
  const names = holders.map((h) => `${KNOWN_HOLDERS[h.name.toLowerCase()] ?? h.name} (pid ${h.pid})`);
  return ` It is open in: ${names.join(', ')}.`;
}

const BUSY_ADVICE =
  'Another program holds the port (a serial terminal such as screen or minicom, Thonny, mpremote, ' +
  'rshell, an IDE serial monitor): close it and try again.';

/** Turns an error from opening a serial port into a BoardError that says what to do. */
export function describeOpenError(err: unknown, path: string): BoardError {
  if (err instanceof BoardError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = String(e?.message ?? err);
  const code = e?.code ?? '';
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|access is denied/i.test(msg)) {
    const advice =
      process.platform === 'linux'
        ? `Add yourself to the group that owns the port (usually dialout: sudo usermod -aG dialout $USER), then log out and in again.`
        : process.platform === 'darwin'
          ? 'Check that no other program holds it and that you may open it.'
          : 'Close any other program that has it open (a serial monitor, Thonny, mpremote).';
    return new BoardError('permission', `Permission denied opening ${path}.`, advice);
  }
  if (code === 'ENOENT' || /no such file|file not found|cannot find the file/i.test(msg)) {
    return new BoardError(
      'not-found',
      `There is no port ${path}.`,
      'Check the cable (some are charge-only) and run `heapscope ports` to see the ports there are; a board that was reset may have come back under another name.',
    );
  }
  if (
    code === 'EBUSY' ||
    code === 'EAGAIN' ||
    /resource busy|temporarily unavailable|cannot lock port|in use/i.test(msg)
  ) {
    return new BoardError('busy', `${path} is busy.`, BUSY_ADVICE + holderWords(findPortHolders(path)));
  }
  return new BoardError('open-failed', `Could not open ${path}: ${msg}`);
}

/** The error when the board never answered with a raw REPL. */
export function noAnswerError(path: string, received?: Uint8Array): BoardError {
  const holders = findPortHolders(path);
  const seen =
    received && received.length
      ? ` It sent ${received.length} bytes, but not the raw REPL prompt.`
      : ' It sent nothing back.';
  const advice =
    (holders.length ? BUSY_ADVICE + holderWords(holders) + ' Otherwise: ' : '') +
    'Press the board\'s reset button and try again; check that the baud rate is right (115200 for most boards) and that this is the board\'s REPL port. ' +
    'A program that disabled Ctrl-C with micropython.kbd_intr(-1) cannot be interrupted: reset the board, or remove that call from its main.py.';
  return new BoardError('no-answer', `The board on ${path} did not answer.${seen}`, advice, received);
}
