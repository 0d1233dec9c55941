/**
 * What the board is: implementation, version, platform, and the features the recorder needs
 * (mem_info, machine.Timer, micropython.schedule, hashlib.sha256, a writable filesystem).
 * USB ids cannot tell MicroPython from CircuitPython; the board is asked.
 */
import type { RawRepl } from './rawRepl';

export interface BoardIdentity {
  /** `sys.implementation.name`: micropython, circuitpython… */
  impl: string;
  /** `sys.implementation.version` as a dotted string: "1.27.0". */
  version: string;
  /** `sys.platform`: rp2, esp32, webassembly… */
  platform: string;
  /** `sys.implementation._machine` where present: "Raspberry Pi Pico with RP2040". */
  machine: string | null;
  hasMemInfo: boolean;
  hasTimer: boolean;
  hasSchedule: boolean;
  hasSha256: boolean;
  /** `import asyncio` works (built in, or CircuitPython's library in lib/). */
  hasAsyncio: boolean;
  /** Python cannot write files (CircuitPython with the USB drive mounted, a frozen-only build). */
  readOnlyFs: boolean;
  /** gc.mem_alloc() + gc.mem_free() at identification, or null. */
  heapBytes: number | null;
}

// Prints one `key=value` line per fact; cleans up after itself. Writes a probe file to learn
// whether Python may write the filesystem (statvfs flags are not reliable across ports).
export const IDENTIFY_CODE = `import sys,gc
def _hs_id():
 i=sys.implementation
 print('impl='+i.name)
 print('version='+'.'.join(str(x) for x in i.version[:3]))
 print('platform='+sys.platform)
 print('machine='+str(getattr(i,'_machine','')))
 try:
  import micropython as m
 except ImportError:
  m=None
 print('meminfo=%d'%(m is not None and hasattr(m,'mem_info')))
 print('schedule=%d'%(m is not None and hasattr(m,'schedule')))
 try:
  import machine
  t=hasattr(machine,'Timer')
 except ImportError:
  t=False
 print('timer=%d'%t)
 try:
  import hashlib
  h=hasattr(hashlib,'sha256')
 except ImportError:
  h=False
 print('sha256=%d'%h)
 try:
  import asyncio
  a=1
 except ImportError:
  a=0
 print('asyncio=%d'%a)
 ro=0
 try:
  import os
  f=open('.hs_probe','wb')
  f.close()
  os.remove('.hs_probe')
 except Exception:
  ro=1
 print('readonly=%d'%ro)
 try:
  print('heap=%d'%(gc.mem_alloc()+gc.mem_free()))
 except Exception:
  pass
_hs_id()
del _hs_id
`;

export function parseIdentity(stdout: string): BoardIdentity {
  const kv = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const flag = (k: string) => kv.get(k) === '1';
  const heap = kv.has('heap') ? Number(kv.get('heap')) : NaN;
  return {
    impl: kv.get('impl') ?? 'unknown',
    version: kv.get('version') ?? '',
    platform: kv.get('platform') ?? '',
    machine: kv.get('machine') || null,
    hasMemInfo: flag('meminfo'),
    hasTimer: flag('timer'),
    hasSchedule: flag('schedule'),
    hasSha256: flag('sha256'),
    hasAsyncio: flag('asyncio'),
    readOnlyFs: flag('readonly'),
    heapBytes: Number.isFinite(heap) ? heap : null,
  };
}

/** Asks the board what it is. Needs the raw REPL (take control first). */
export async function identifyBoard(repl: RawRepl): Promise<BoardIdentity> {
  return parseIdentity(await repl.execOk(IDENTIFY_CODE));
}

/** One line for people: "MicroPython 1.27.0 on rp2 (Raspberry Pi Pico with RP2040)". */
export function describeIdentity(id: BoardIdentity): string {
  const name = id.impl === 'micropython' ? 'MicroPython' : id.impl === 'circuitpython' ? 'CircuitPython' : id.impl;
  const missing = [
    id.hasMemInfo ? null : 'no mem_info',
    id.hasTimer ? null : 'no machine.Timer',
    id.hasSchedule ? null : 'no micropython.schedule',
    id.readOnlyFs ? 'read-only filesystem' : null,
  ].filter(Boolean);
  return `${name} ${id.version} on ${id.platform}${id.machine ? ` (${id.machine})` : ''}${missing.length ? `; ${missing.join(', ')}` : ''}`;
}
