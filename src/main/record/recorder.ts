/**
 * Records a board: take control → identify → install the helper → soft reset → launch the
 * program with periodic dumps → stream everything the board prints to `hooks.data` until
 * stopped. Stop is Ctrl-C, then a soft reset so the timers are torn down. If the link drops,
 * what was received stays, a gap is reported, and recording resumes when the board comes
 * back (by USB serial number, else by path).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { remoteFileInfo } from '../board/install/installFile';
import { HELPER_FILE, installHelper, type HelperPlacement } from '../board/install/installHelper';
import { describeIdentity, identifyBoard, type BoardIdentity } from '../board/repl/identify';
import { sleep } from '../board/repl/linkReader';
import { RawRepl, type RunResult } from '../board/repl/rawRepl';
import { BoardError } from '../board/serial/errors';
import type { Link } from '../board/serial/link';
import { findPortBySerial, listPorts, pickAutoPort, VIRTUAL_PORT, type PortEntry } from '../board/serial/ports';
import { openSerialLink } from '../board/serial/serialLink';
import { buildLauncher, DUMP_MODE_WORDS, programSourceLoader, ramHelperLoader, type DumpMode, type LaunchProgram } from './launcher';
import { DumpTracker } from './dumpTracker';
import { describeDumpCost, measureDumpCost, type DumpCost } from './dumpCost';

export type RecordPhase =
  | 'opening'
  | 'takingControl'
  | 'identifying'
  | 'installingHelper'
  | 'starting'
  | 'recording'
  | 'reconnecting'
  | 'stopping'
  | 'stopped'
  | 'failed';

export type RecordRun =
  /** A file on the board, `main.py` by default. */
  | { kind: 'main'; file?: string }
  /** A program from this computer, sent from RAM; `source` overrides reading `path`. */
  | { kind: 'script'; path: string; source?: Uint8Array }
  /** Start nothing, take nothing over: record what the board prints. */
  | { kind: 'attach' };

export interface BoardInfo {
  name?: string;
  version?: string;
  platform?: string;
  machine?: string;
}

export interface RecordHooks {
  phase?(phase: RecordPhase, message: string, progress?: { done: number; total: number }): void;
  /** Bytes the board printed while recording, in order. */
  data(chunk: Uint8Array, hostMs: number): void;
  /** The link went away at hostMsStart and came back at hostMsEnd (null: never came back). */
  gap?(reason: string, hostMsStart: number, hostMsEnd: number | null): void;
  board?(info: BoardInfo, identity: BoardIdentity): void;
  /** Something the user should know ("stats only: no mem_info on this firmware"). */
  note?(message: string): void;
  /** How dumps will be made, and one dump's measured cost (after identifying the board). */
  dumping?(how: { mode: DumpMode | null; cost: DumpCost | null; tooSlow: boolean }): void;
}

export interface RecordOptions {
  /** A device path, `auto`, or `virtual`. */
  port: string;
  baudRate?: number;
  run: RecordRun;
  periodMs: number;
  collect: boolean;
  /** Stop by itself after this long of recording (null: until stopped or the program ends). */
  durationMs?: number | null;
  /** How the link is opened (default: a serial port; `virtual` needs this or openVirtual). */
  openLink?: (port: string) => Promise<Link>;
  /** For `virtual`: opens an in-process virtual board (wired by the caller). */
  openVirtual?: () => Promise<Link>;
  /** One attempt to get the board back after the link dropped; null when not there yet. */
  reopenLink?: () => Promise<Link | null>;
  /** Pause between reconnection attempts (default 500 ms). */
  reconnectEveryMs?: number;
  /** Give up on a lost board after this long (default: never, until stopped). */
  reconnectForMs?: number | null;
  /** Relaunch the program at most this many times after the board reset under it (default 5). */
  maxRelaunches?: number;
  /** On stop, how long to wait for the program to end before giving up on it (default 6000 ms). */
  stopWaitMs?: number;
  /** How dumps are made (default auto: the timer where the board has one, else an asyncio task where it has asyncio, else the program's calls). */
  dumps?: 'auto' | DumpMode;
  /** After the program ends, keep listening this long for the last dumps (default 300 ms). */
  tailMs?: number;
  /** Silence allowed on a management read (default 10 s). */
  silenceMs?: number;
  takeControlMs?: number;
  helperSource?: Uint8Array;
  helperFromRam?: boolean;
  noRawPaste?: boolean;
  /** Protocol trace. */
  log?: (line: string) => void;
}

export type EndReason = 'stopped' | 'duration' | 'program-ended' | 'board-lost' | 'failed';

export interface RecordSummary {
  endedBy: EndReason;
  /** For program-ended: how (the last line of the traceback, empty for a clean end). */
  programError: string;
  bytes: number;
  gaps: number;
  relaunches: number;
  identity: BoardIdentity | null;
  helper: 'file-written' | 'file-skipped' | 'ram' | 'none';
  /** How dumps were made (null: attach, or it failed before launching). */
  dumps: DumpMode | null;
  /** One dump measured after identifying the board (null when not measured). */
  dumpCost: DumpCost | null;
  /** Set when the recording failed. */
  error?: Error;
  startedAt: number;
  endedAt: number;
}

export interface RecordingHandle {
  /** Resolves once streaming has begun (phase recording); rejects in words if it could not. */
  readonly started: Promise<void>;
  /** Resolves when the recording is over (never rejects: a failure is in the summary). */
  readonly done: Promise<RecordSummary>;
  /** Stops gracefully; resolves with the summary. */
  stop(): Promise<RecordSummary>;
  readonly phase: RecordPhase;
}

const HS_MARK = Buffer.from('@@HS:');

export function startRecording(opts: RecordOptions, hooks: RecordHooks): RecordingHandle {
  return new Recording(opts, hooks).handle();
}

class Recording {
  private link: Link | null = null;
  private repl: RawRepl | null = null;
  private portEntry: PortEntry | null = null;
  private portPath = '';
  private identity: BoardIdentity | null = null;
  private placement: HelperPlacement | null = null;
  private program: LaunchProgram | null = null;
  private phaseNow: RecordPhase = 'opening';
  private stopAsked: EndReason | null = null;
  private readonly stopCtl = new AbortController();
  private runCtl: AbortController | null = null;
  private running = false;
  private bytes = 0;
  private gaps = 0;
  private relaunches = 0;
  private programError = '';
  private dumpMode: DumpMode | null = null;
  private dumpCost: DumpCost | null = null;
  /** Where the board's output stands: inside a dump or between dumps. */
  private readonly dumpTrack = new DumpTracker();
  private durationTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private startedResolve!: () => void;
  private startedReject!: (e: Error) => void;
  private readonly started: Promise<void>;
  private done!: Promise<RecordSummary>;
  private readonly log: (line: string) => void;

  constructor(
    private readonly opts: RecordOptions,
    private readonly hooks: RecordHooks,
  ) {
    this.log = opts.log ?? (() => {});
    this.started = new Promise((res, rej) => {
      this.startedResolve = res;
      this.startedReject = rej;
    });
    this.started.catch(() => {});
  }

  handle(): RecordingHandle {
    this.done = this.main();
    const self = this;
    return {
      started: this.started,
      done: this.done,
      stop: () => this.stop('stopped'),
      get phase() {
        return self.phaseNow;
      },
    };
  }

  private setPhase(phase: RecordPhase, message: string, progress?: { done: number; total: number }): void {
    this.phaseNow = phase;
    this.hooks.phase?.(phase, message, progress);
  }

  private emit(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.bytes += chunk.length;
    this.hooks.data(chunk, Date.now());
  }

  async stop(reason: EndReason = 'stopped'): Promise<RecordSummary> {
    if (!this.stopAsked) {
      this.stopAsked = reason;
      this.stopCtl.abort();
      if (this.running && this.repl && this.link && !this.link.closed) {
        void this.interruptRun();
      }
    }
    return this.done;
  }

  /**
   * Ctrl-C at once, and again each time a dump ended after the last one was sent: the helper
   * defers a Ctrl-C that lands inside a dump (no dump is cut, the program goes on), so the
   * next one must come after the dump's end marker. In the end, stop waiting for the program.
   */
  private async interruptRun(): Promise<void> {
    const repl = this.repl!;
    const giveUp = Date.now() + (this.opts.stopWaitMs ?? 6000);
    let sent = 0;
    let endsAtSend = -1;
    let lastSend = 0;
    while (this.running && Date.now() < giveUp) {
      const t = this.dumpTrack;
      // Also every 1.5 s outside a dump: a board that dropped the byte, a program between dumps.
      if (sent === 0 || t.ends > endsAtSend || (!t.inDump && Date.now() - lastSend > 1500)) {
        sent++;
        this.log(`stop: ctrl-C ${sent}${t.inDump ? ' (a dump is printing)' : ''}, ${t.ends} dumps ended`);
        endsAtSend = t.ends;
        lastSend = Date.now();
        await repl.interrupt().catch(() => {});
      }
      await sleep(5);
    }
    if (this.running) {
      this.hooks.note?.('The program did not stop on Ctrl-C (it may have disabled it with micropython.kbd_intr(-1)); stopped listening.');
      this.runCtl?.abort();
    }
  }

  private async main(): Promise<RecordSummary> {
    let endedBy: EndReason = 'stopped';
    let error: Error | undefined;
    try {
      endedBy = await this.record();
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
      endedBy = this.stopAsked && isCancel(err) ? this.stopAsked : 'failed';
      if (endedBy === 'failed') this.startedReject(error);
      else error = undefined;
    }
    if (this.durationTimer) clearTimeout(this.durationTimer);
    await this.shutdown(endedBy);
    this.setPhase(endedBy === 'failed' ? 'failed' : 'stopped', endedBy === 'failed' ? (error?.message ?? 'failed') : endMessage(endedBy, this.programError));
    // A stop before streaming began still settles `started`.
    this.startedReject(error ?? new BoardError('cancelled', 'Stopped before the recording began.'));
    return {
      endedBy,
      programError: this.programError,
      bytes: this.bytes,
      gaps: this.gaps,
      relaunches: this.relaunches,
      identity: this.identity,
      dumps: this.dumpMode,
      dumpCost: this.dumpCost,
      helper: !this.placement ? 'none' : this.placement.where === 'ram' ? 'ram' : this.placement.result.status === 'written' ? 'file-written' : 'file-skipped',
      error,
      startedAt: this.startedAt,
      endedAt: Date.now(),
    };
  }

  private async record(): Promise<EndReason> {
    const { opts } = this;
    this.setPhase('opening', opts.port === VIRTUAL_PORT ? 'Starting the virtual board…' : `Opening ${opts.port}…`);
    if (opts.run.kind === 'script') {
      const source = opts.run.source ?? (await readFile(opts.run.path));
      this.program = { kind: 'source', source, name: path.basename(opts.run.path) };
    } else if (opts.run.kind === 'main') {
      this.program = { kind: 'file', file: opts.run.file ?? 'main.py' };
    }
    await this.open();
    if (opts.run.kind === 'attach') return this.attachLoop();

    let resumeRunning = false;
    let needSetup = true;
    for (;;) {
      if (this.stopAsked) return this.stopAsked;
      try {
        if (!this.link) {
          const back = await this.reconnect();
          if (!back) return this.stopAsked ?? 'board-lost';
          resumeRunning = back.programRunning;
          needSetup = !resumeRunning;
        }
        let result: RunResult;
        if (resumeRunning) {
          resumeRunning = false;
          this.hooks.note?.('The program kept running while the link was away: recording goes on.');
          result = await this.follow();
        } else {
          if (needSetup) {
            await this.setup();
            needSetup = false;
          }
          if (this.stopAsked) return this.stopAsked;
          result = await this.launch();
        }
        if (result.end === 'cancelled') return this.stopAsked ?? 'stopped';
        if (result.end === 'finished') {
          if (this.stopAsked) return this.stopAsked;
          this.programError = lastLine(result.stderrText);
          await this.tail();
          return 'program-ended';
        }
        // The board reset under the program.
        if (this.stopAsked) return this.stopAsked;
        this.hooks.note?.('The board reset during the recording.');
        if (this.relaunches >= (opts.maxRelaunches ?? 5)) {
          this.hooks.note?.(`The board reset ${this.relaunches + 1} times; not starting the program again.`);
          return 'board-lost';
        }
        this.relaunches++;
        needSetup = true;
      } catch (err) {
        if (this.stopAsked && isCancel(err)) return this.stopAsked;
        if (isDisconnect(err) || this.link?.closed) {
          await this.linkLost(err);
          continue;
        }
        throw err;
      }
    }
  }

  private async open(): Promise<void> {
    const { opts } = this;
    let port = opts.port;
    if (opts.openLink) {
      this.portPath = port;
      this.attach(await opts.openLink(port));
      return;
    }
    if (port === VIRTUAL_PORT) {
      if (!opts.openVirtual) throw new BoardError('open-failed', 'The virtual board is not available here.');
      this.portPath = port;
      this.attach(await opts.openVirtual());
      return;
    }
    const ports = await listPorts({ virtual: false });
    if (port === 'auto') {
      const pick = pickAutoPort(ports);
      if (!pick) {
        throw new BoardError('not-found', 'No board found.', 'Plug one in (check that the cable carries data), pass --port PATH, or use --port virtual.');
      }
      port = pick.path;
      this.hooks.note?.(`Using ${pick.path} (${pick.friendlyName}).`);
    }
    this.portPath = port;
    this.portEntry = ports.find((p) => p.path === port) ?? null;
    this.attach(await openSerialLink(port, { baudRate: opts.baudRate }));
  }

  private attach(link: Link): void {
    this.link = link;
    this.repl = new RawRepl(link, { silenceMs: this.opts.silenceMs, noRawPaste: this.opts.noRawPaste, log: this.log });
    link.onClose((info) => {
      if (info.disconnected) this.log(`link closed: ${info.error?.message ?? 'disconnected'}`);
    });
  }

  private async setup(): Promise<void> {
    const repl = this.repl!;
    this.setPhase('takingControl', `Taking control of the board on ${this.link!.label}…`);
    await repl.takeControl({
      totalMs: this.opts.takeControlMs ?? 15_000,
      softReset: true,
      signal: this.stopCtl.signal,
      onAttempt: (n) => n > 1 && this.setPhase('takingControl', `Taking control of the board (attempt ${n})…`),
    });
    if (!this.identity) {
      this.setPhase('identifying', 'Asking the board what it is…');
      const id = await identifyBoard(repl);
      this.identity = id;
      this.hooks.board?.(
        {
          name: id.impl === 'micropython' ? 'MicroPython' : id.impl === 'circuitpython' ? 'CircuitPython' : id.impl,
          version: id.version,
          platform: id.platform,
          machine: id.machine ?? undefined,
        },
        id,
      );
      this.hooks.note?.(describeIdentity(id));
      if (!id.hasMemInfo) {
        this.hooks.note?.('This firmware has no micropython.mem_info: recording heap totals only (gc.mem_alloc / gc.mem_free), no heap map.');
      }
      this.dumpMode = chooseDumpMode(id, this.opts.dumps ?? 'auto', this.opts.run.kind === 'attach');
      this.hooks.note?.(dumpModeNote(id, this.dumpMode, this.opts.periodMs));
      let tooSlow = false;
      try {
        this.dumpCost = await measureDumpCost(repl);
        const d = describeDumpCost(this.dumpCost, this.opts.periodMs);
        tooSlow = d.tooSlow && this.dumpMode !== 'calls';
        this.hooks.note?.(this.dumpMode === 'calls' ? d.text.replace(/ That is longer.*/, '') : d.text);
      } catch (err) {
        if (isDisconnect(err) || isCancel(err)) throw err;
        this.log(`dump cost: ${(err as Error).message}`);
      }
      this.hooks.dumping?.({ mode: this.dumpMode, cost: this.dumpCost, tooSlow });
    }
    this.setPhase('installingHelper', 'Putting the helper on the board…');
    this.placement = await installHelper(repl, this.identity, {
      source: this.opts.helperSource,
      fromRam: this.opts.helperFromRam,
      onProgress: (done, total) => this.setPhase('installingHelper', `Uploading the helper (${(done / 1024).toFixed(1)} of ${(total / 1024).toFixed(1)} KB)…`, { done, total }),
    });
    this.hooks.note?.(placementNote(this.placement, this.program));
    if (this.program?.kind === 'file') {
      const { size } = await remoteFileInfo(repl, this.program.file, false);
      if (size < 0) {
        throw new BoardError(
          'not-found',
          `There is no ${this.program.file} on the board.`,
          'Put your program on the board, pass --run with its name, or send one from this computer with --script FILE.',
        );
      }
    }
  }

  private async launch(): Promise<RunResult> {
    const repl = this.repl!;
    this.setPhase('starting', 'Starting the program…');
    // A clean heap, no timers, the helper not yet imported; main.py does not run.
    await repl.softReset();
    // Each its own exec: they start nothing, so no dump can come in the protocol's bytes.
    if (this.placement?.where === 'ram') await repl.execOk(ramHelperLoader(this.placement.source));
    if (this.program?.kind === 'source') await repl.execOk(programSourceLoader(this.program));
    const code = buildLauncher({
      program: this.program!,
      periodMs: this.opts.periodMs,
      collect: this.opts.collect,
      dumps: this.dumpMode ?? 'timer',
    });
    return this.streamRun((o) => repl.run(code, o));
  }

  /** The link came back while the program kept running: keep reading its output. */
  private follow(): Promise<RunResult> {
    const repl = this.repl!;
    return this.streamRun((o) => repl.follow(o));
  }

  private async streamRun(go: (o: Parameters<RawRepl['run']>[1]) => Promise<RunResult>): Promise<RunResult> {
    this.runCtl = new AbortController();
    this.running = true;
    // Frames that stop coming (a reset the recorder could not see, the program stopped the
    // helper, a full schedule queue) are worth a word; only a word: the program keeps running.
    let lastFrame = 0;
    let warned = false;
    const quietMs = Math.max(10 * this.opts.periodMs, 10_000);
    const watch = setInterval(() => {
      if (lastFrame && !warned && Date.now() - lastFrame > quietMs) {
        warned = true;
        this.hooks.note?.(`No dumps for ${Math.round((Date.now() - lastFrame) / 1000)} s: the board may have reset, or the program stopped the helper.`);
      }
    }, 1000);
    this.dumpTrack.reset();
    const onChunk = (c: Uint8Array) => {
      this.dumpTrack.push(c);
      if (Buffer.from(c.buffer, c.byteOffset, c.length).indexOf(HS_MARK) >= 0) {
        lastFrame = Date.now();
        warned = false;
      }
      this.emit(c);
    };
    try {
      return await go({
        onStdout: onChunk,
        onStderr: (c) => this.emit(c),
        onStarted: () => this.recordingBegan(),
        signal: this.runCtl.signal,
      });
    } finally {
      clearInterval(watch);
      this.running = false;
    }
  }

  private recordingBegan(): void {
    this.setPhase('recording', this.recordingMessage());
    this.startedResolve();
    if (this.opts.durationMs && !this.durationTimer) {
      this.durationTimer = setTimeout(() => void this.stop('duration'), this.opts.durationMs);
    }
    if (this.stopAsked) void this.interruptRun();
  }

  private recordingMessage(): string {
    const what =
      this.opts.run.kind === 'attach'
        ? 'listening'
        : this.program?.kind === 'source'
          ? `running ${this.program.name} from RAM`
          : `running ${this.program?.kind === 'file' ? this.program.file : 'the program'}`;
    if (this.opts.run.kind === 'attach') return `Recording (${what}).`;
    const every = this.dumpMode === 'calls' ? "dumps where the program calls mem_dump.dump()" : `a dump every ${this.opts.periodMs} ms from ${DUMP_MODE_WORDS[this.dumpMode ?? 'timer']}`;
    return `Recording (${what}, ${every}${this.opts.collect ? ', after gc.collect()' : ''}).`;
  }

  /** After the program ended: the last dumps the timer prints at the prompt. */
  private async tail(): Promise<void> {
    const reader = this.repl!.reader;
    await sleep(this.opts.tailMs ?? 300);
    this.emit(reader.take());
  }

  private async attachLoop(): Promise<EndReason> {
    for (;;) {
      if (this.stopAsked) return this.stopAsked;
      if (!this.link) {
        const back = await this.reconnect(true);
        if (!back) return this.stopAsked ?? 'board-lost';
      }
      const link = this.link!;
      const reader = this.repl!.reader;
      this.emit(reader.take());
      reader.onIdleData = (c) => {
        this.emit(c);
        return true;
      };
      this.recordingBegan();
      const closed = new Promise<void>((resolve) => link.onClose(() => resolve()));
      const stopped = new Promise<void>((resolve) => this.stopCtl.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([closed, stopped]);
      reader.onIdleData = null;
      if (this.stopAsked) return this.stopAsked;
      await this.linkLost(new BoardError('disconnected', `${link.label} disconnected.`));
    }
  }

  private gapStart: number | null = null;
  private gapReason = '';

  private async linkLost(err: unknown): Promise<void> {
    this.gapStart = Date.now();
    this.gapReason = `link lost: ${err instanceof Error ? err.message : String(err)}`;
    this.gaps++;
    this.hooks.note?.(`The board went away (${this.link?.label ?? this.portPath}); waiting for it to come back…`);
    this.setPhase('reconnecting', 'The board went away; waiting for it to come back…');
    this.repl?.dispose();
    await this.link?.close().catch(() => {});
    this.link = null;
    this.repl = null;
  }

  /** Waits for the board to come back. Returns null when stopped or given up. */
  private async reconnect(attach = false): Promise<{ programRunning: boolean } | null> {
    const every = this.opts.reconnectEveryMs ?? 500;
    const until = this.opts.reconnectForMs ? Date.now() + this.opts.reconnectForMs : Infinity;
    while (!this.stopAsked && Date.now() < until) {
      let link: Link | null = null;
      try {
        link = await this.reopenOnce();
      } catch (err) {
        this.log(`reopen: ${(err as Error).message}`);
      }
      if (link) {
        this.attach(link);
        const start = this.gapStart ?? Date.now();
        this.hooks.gap?.(this.gapReason || 'link lost', start, Date.now());
        this.gapStart = null;
        this.hooks.note?.(`The board is back on ${link.label}.`);
        if (attach) return { programRunning: true };
        // Is the program still running (the link, not the board, went away)? Its dumps say so.
        const heard = await this.listen(Math.max(1000, Math.min(this.opts.periodMs * 2 + 500, 5000)));
        this.emit(heard);
        return { programRunning: Buffer.from(heard).indexOf(HS_MARK) >= 0 };
      }
      await Promise.race([sleep(every), new Promise((r) => this.stopCtl.signal.addEventListener('abort', r, { once: true }))]);
    }
    if (this.gapStart !== null) {
      this.hooks.gap?.(this.gapReason || 'link lost', this.gapStart, null);
      this.gapStart = null;
    }
    return null;
  }

  private async listen(ms: number): Promise<Uint8Array> {
    const reader = this.repl!.reader;
    const parts: Uint8Array[] = [];
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !this.stopAsked && !this.link?.closed) {
      await sleep(50);
      const got = reader.take();
      if (got.length) {
        parts.push(got);
        if (Buffer.from(got).indexOf(HS_MARK) >= 0) break;
      }
    }
    parts.push(reader.take());
    return Buffer.concat(parts);
  }

  private async reopenOnce(): Promise<Link | null> {
    if (this.opts.reopenLink) return this.opts.reopenLink();
    if (this.opts.openLink) return this.opts.openLink(this.portPath);
    if (this.portPath === VIRTUAL_PORT) return null;
    let target = this.portPath;
    const sn = this.portEntry?.serialNumber;
    if (sn) {
      const found = await findPortBySerial(sn, { vendorId: this.portEntry?.vendorId, productId: this.portEntry?.productId });
      if (!found) return null;
      target = found.path;
    }
    return openSerialLink(target, { baudRate: this.opts.baudRate });
  }

  /** Leaves the board clean (no timers, no program) and closes the link. */
  private async shutdown(endedBy: EndReason): Promise<void> {
    const link = this.link;
    const repl = this.repl;
    if (!link || !repl || link.closed) {
      await link?.close().catch(() => {});
      return;
    }
    if (this.opts.run.kind !== 'attach' && this.identity) {
      this.setPhase('stopping', 'Stopping: soft-resetting the board…');
      // What the board printed after the program ended is the recording's too.
      this.emit(repl.reader.take());
      try {
        if (repl.inRawRepl) {
          // The program ended and the board waits at the raw prompt: a soft reset is all
          // it takes (no Ctrl-C needed, none sent).
          await repl.softReset({ silenceMs: 3000 });
        } else {
          // Ctrl-C at the prompt is harmless; then a fresh raw prompt and a soft reset.
          await repl.takeControl({ totalMs: 4000, attemptMs: 1500, drainMs: 120, softReset: true });
        }
      } catch (err) {
        this.hooks.note?.(`Could not reset the board after stopping: ${(err as Error).message}`);
      }
    }
    repl.dispose();
    await link.close().catch(() => {});
    void endedBy;
  }
}

function endMessage(endedBy: EndReason, programError: string): string {
  switch (endedBy) {
    case 'program-ended':
      return programError ? `The program ended: ${programError}` : 'The program ended.';
    case 'duration':
      return 'Recorded for the time asked.';
    case 'board-lost':
      return 'The board went away and did not come back.';
    default:
      return 'Stopped.';
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1]?.trim() ?? '';
}

function isCancel(err: unknown): boolean {
  return err instanceof BoardError && err.kind === 'cancelled';
}

function isDisconnect(err: unknown): boolean {
  return err instanceof BoardError && err.kind === 'disconnected';
}

/** How dumps are made: the user's choice where the board can, else the best it can. */
export function chooseDumpMode(id: BoardIdentity, want: 'auto' | DumpMode, attach: boolean): DumpMode | null {
  if (attach) return null;
  const timer = id.hasTimer && id.hasSchedule;
  if (want === 'timer' && !timer) {
    throw new BoardError('unsupported', `This firmware has no ${!id.hasTimer ? 'machine.Timer' : 'micropython.schedule'}: it cannot dump on a timer.`, id.hasAsyncio ? 'Use --dumps asyncio (a task in the program\'s event loop) or --dumps calls.' : 'Use --dumps calls: the program calls mem_dump.dump() where it wants a dump.');
  }
  if (want === 'async' && !id.hasAsyncio) {
    throw new BoardError('unsupported', 'This firmware has no asyncio: the helper cannot dump from an asyncio task.', timer ? 'Use --dumps timer.' : 'Use --dumps calls: the program calls mem_dump.dump() where it wants a dump.');
  }
  if (want !== 'auto') return want;
  return timer ? 'timer' : id.hasAsyncio ? 'async' : 'calls';
}

function dumpModeNote(id: BoardIdentity, mode: DumpMode | null, periodMs: number): string {
  if (mode === null) return 'Attached: dumps come only as the board prints them.';
  const noTimer = !(id.hasTimer && id.hasSchedule) ? `This firmware has no ${!id.hasTimer ? 'machine.Timer' : 'micropython.schedule'}: d` : 'D';
  switch (mode) {
    case 'timer':
      return `Dumps come every ${periodMs} ms from a timer on the board.`;
    case 'async':
      return `${noTimer}umps come every ${periodMs} ms from an asyncio task in the program's event loop (a program that runs no asyncio loop gets the first dump and its own mem_dump.dump() calls only).`;
    case 'calls':
      return `${noTimer}umps come once at the start, then only where the program calls mem_dump.dump() (import mem_dump works, also with the helper in RAM).`;
  }
}

/** Exactly what this recording wrote to the board's filesystem. */
function placementNote(p: HelperPlacement, program: LaunchProgram | null): string {
  const prog = program?.kind === 'source' ? ` ${program.name} is sent from RAM, not written.` : '';
  if (p.where === 'ram') return `Nothing is written to the board: the helper runs from RAM (${p.reason}).${prog}`;
  const kb = (p.result.bytes / 1024).toFixed(1);
  if (p.result.status === 'written') return `Wrote ${HELPER_FILE} (${kb} KB, HeapScope's helper) to the board's filesystem; it stays there, and nothing else is written.${prog}`;
  return `${HELPER_FILE} is already on the board, unchanged: nothing is written.${prog}`;
}
