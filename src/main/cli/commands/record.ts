import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BoardError } from '../../board/serial/errors';
import { VIRTUAL_PORT } from '../../board/serial/ports';
import { openVirtualLink, virtualDemoNames } from '../../board/serial/virtualLink';
import type { RecordRun } from '../../record/recorder';
import { recordToSession, type SessionRecordResult } from '../../record/toSession';
import { InputError, UsageError } from '../errors';
import { assertOutput } from '../sessionInput';
import type { RuleCliOptions } from './check';

export interface RecordCliOptions extends RuleCliOptions {
  port: string;
  baud: string;
  run?: string;
  script?: string;
  attach?: boolean;
  demo?: string;
  period: string;
  collect?: boolean;
  duration?: string;
  output: string;
  force?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** false with --no-write. */
  write?: boolean;
  dumps?: 'auto' | 'timer' | 'asyncio' | 'calls';
}

/** "30s", "2m", "1500ms", "1h", "10" (seconds) → ms. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--duration: cannot read "${text}" (try 30s, 2m, 1500ms)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  if (!(ms > 0)) throw new UsageError('--duration must be more than 0');
  return Math.round(ms);
}

function positiveInt(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** `heapscope record`: its options are in ./index.ts. */
export async function run(opts: RecordCliOptions): Promise<void> {
  const modes = [opts.run !== undefined, opts.script !== undefined, !!opts.attach].filter(Boolean).length;
  if (modes > 1) throw new UsageError('use one of --run, --script, --attach');
  const virtual = opts.port === VIRTUAL_PORT;
  if (opts.demo !== undefined && !virtual) throw new UsageError('--demo runs on the virtual board: add --port virtual');
  if (opts.demo !== undefined && (opts.script !== undefined || opts.attach)) throw new UsageError('--demo runs as main.py: leave out --script and --attach');
  const periodMs = positiveInt(opts.period, '--period', 20, 600_000);
  const baudRate = positiveInt(opts.baud, '--baud', 300, 20_000_000);
  const durationMs = opts.duration !== undefined ? parseDuration(opts.duration) : null;
  // `check`'s rules: read now (bad usage before any recording), checked on the session at the end.
  const check = await import('./check');
  const rules = check.parseRules(opts);
  const out = opts.output;
  // Checked before the board is touched: a session that cannot be written stops nothing.
  await assertOutput(out, !!opts.force);

  let run: RecordRun;
  if (opts.script !== undefined) {
    if (!existsSync(opts.script)) throw new InputError(opts.script, 'no such file');
    if (statSync(opts.script).isDirectory()) throw new InputError(opts.script, 'is a directory, not a program');
    run = { kind: 'script', path: opts.script };
  } else if (opts.attach) {
    run = { kind: 'attach' };
  } else {
    run = { kind: 'main', file: opts.run };
  }
  let demo: string | undefined;
  if (virtual && run.kind === 'main' && opts.run === undefined) {
    demo = opts.demo ?? 'fragment';
    const names = virtualDemoNames();
    if (names.length && !names.includes(demo)) throw new UsageError(`--demo: no demo "${demo}" (there are: ${names.join(', ')})`);
  }

  const say = (line: string) => {
    if (!opts.quiet) process.stderr.write(line + '\n');
  };
  const started = Date.now();
  let ticker: NodeJS.Timeout | null = null;
  const handle = recordToSession(
    {
      port: opts.port,
      baudRate,
      run,
      periodMs,
      collect: !!opts.collect,
      durationMs,
      helperFromRam: opts.write === false,
      dumps: opts.dumps === 'asyncio' ? 'async' : (opts.dumps ?? 'auto'),
      sessionPath: out,
      openVirtual: () => openVirtualLink({ demo }),
      meta: demo ? { demo } : undefined,
      log: opts.verbose ? (line) => process.stderr.write(`    [${((Date.now() - started) / 1000).toFixed(3)}] ${line}\n`) : undefined,
    },
    {
      phase: (phase, message) => {
        if (phase === 'installingHelper' && /Uploading/.test(message)) return;
        if (phase === 'stopped' || phase === 'failed') return;
        say(message);
        if (phase === 'recording' && !ticker && !opts.quiet && process.stderr.isTTY) {
          ticker = setInterval(() => {
            const c = handle.counts;
            process.stderr.write(`\r  ${((Date.now() - started) / 1000).toFixed(0)} s: ${c.snapshots} dumps, ${c.logLines} log lines, ${(c.bytes / 1024).toFixed(0)} KB   `);
          }, 1000);
        }
      },
      note: (m) => say(`  ${m}`),
      // Even with --quiet: the user has to act (free space) before the board's output is lost.
      warn: (m) => process.stderr.write(`${ticker ? '\n' : ''}heapscope: warning: ${m}\n`),
    },
  );

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      say('\nStopping (Ctrl-C again to quit at once; the session keeps what was received)…');
      void handle.stop();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let result: SessionRecordResult;
  try {
    result = await handle.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (ticker) {
      clearInterval(ticker);
      process.stderr.write('\n');
    }
  }
  const { summary, session, counts } = result;
  if (summary.endedBy === 'failed') {
    const err = summary.error;
    const msg = err instanceof BoardError ? err.message : (err?.message ?? 'the recording failed');
    if (session) say(`The session so far is in ${out} (${counts.snapshots} dumps).`);
    throw new Error(msg);
  }
  const secs = ((summary.endedAt - summary.startedAt) / 1000).toFixed(1);
  const why =
    summary.endedBy === 'program-ended'
      ? summary.programError
        ? `the program ended: ${summary.programError}`
        : 'the program ended'
      : summary.endedBy === 'duration'
        ? 'time is up'
        : summary.endedBy === 'board-lost'
          ? 'the board went away'
          : 'stopped';
  say(
    `Recorded ${counts.snapshots} dumps, ${counts.logLines} log lines, ${(counts.bytes / 1024).toFixed(1)} KB in ${secs} s (${why})` +
      (summary.gaps ? `, ${summary.gaps} link gap${summary.gaps > 1 ? 's' : ''}` : '') +
      ` → ${out}`,
  );
  if (!session) throw new InputError(out, 'nothing was recorded, so no session was written');
  if (check.hasRules(rules)) check.report(out, await check.checkFile(out, rules), { junit: opts.junit }, (s) => process.stdout.write(s));
}
