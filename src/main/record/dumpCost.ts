/**
 * What one dump costs on this board and this link, measured once after identifying the board:
 * the bytes one `mem_info(1)` prints (a stats line where there is none) and the milliseconds
 * the board spends printing them (the link's speed included: printing waits for the UART or
 * the USB host to take the bytes).
 */
import type { RawRepl } from '../board/repl/rawRepl';

export interface DumpCost {
  /** Bytes one dump prints. */
  bytes: number;
  /** Board milliseconds per dump (ticks_ms around it). */
  boardMs: number;
  /** Host milliseconds for the whole exec that measured it (protocol round trip included). */
  hostMs: number;
}

const MARK = '@@HSCOST';

// time.ticks_ms where there is one, else CircuitPython's supervisor.ticks_ms (29-bit).
export const DUMP_COST_CODE = `import gc,time
def _hs_cost():
 try:
  from micropython import mem_info as m
 except ImportError:
  m=None
 tm=getattr(time,'ticks_ms',None)
 if tm is None:
  import supervisor
  tm=supervisor.ticks_ms
 t=tm()
 if m:
  m(1)
 else:
  print('@@HS:S',0,t,0,gc.mem_alloc(),gc.mem_free())
 d=(tm()-t)&0x1fffffff
 print('\\n${MARK}',d)
_hs_cost()
del _hs_cost
`;

export async function measureDumpCost(repl: RawRepl): Promise<DumpCost> {
  const t0 = performance.now();
  const out = await repl.execOk(DUMP_COST_CODE);
  const hostMs = performance.now() - t0;
  const at = out.lastIndexOf(MARK);
  if (at < 0) throw new Error('the board did not report the dump\'s time');
  const boardMs = Number(out.slice(at + MARK.length).trim());
  // The dump's own bytes: everything before the line break printed ahead of the marker.
  const dumpText = out.slice(0, at).replace(/\r?\n$/, '');
  return { bytes: Buffer.byteLength(dumpText, 'utf8'), boardMs: Number.isFinite(boardMs) ? boardMs : NaN, hostMs: Math.round(hostMs) };
}

/** "one dump: 8.6 KB, 120 ms on the board"; a warning when that is longer than the period. */
export function describeDumpCost(c: DumpCost, periodMs: number): { text: string; tooSlow: boolean } {
  const kb = c.bytes >= 1024 ? `${(c.bytes / 1024).toFixed(1)} KB` : `${c.bytes} bytes`;
  const tooSlow = c.boardMs > periodMs;
  let text = `One dump measured on this board: ${kb}, ${c.boardMs} ms to print on this link.`;
  if (tooSlow) text += ` That is longer than the period (${periodMs} ms): dumps will come about every ${c.boardMs} ms at best, and the program runs only between them. Choose a longer period.`;
  return { text, tooSlow };
}
