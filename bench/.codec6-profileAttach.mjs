// bench/profileAttach.ts
import { mkdtempSync as mkdtempSync2 } from "node:fs";
import os from "node:os";
import path4 from "node:path";

// src/main/session/writer.ts
import { closeSync as closeSync3, fdatasyncSync, ftruncateSync, openSync as openSync3, writeSync as writeSync2 } from "node:fs";

// src/main/session/files.ts
import { constants, closeSync, fstatSync, openSync, statSync } from "node:fs";
var READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
function formatBytes(n2) {
  if (n2 < 1024) return `${n2} bytes`;
  if (n2 < 1 << 20) return `${(n2 / 1024).toFixed(1)} KB`;
  if (n2 < 1 << 30) return `${(n2 / (1 << 20)).toFixed(1)} MB`;
  return `${(n2 / (1 << 30)).toFixed(2)} GB`;
}
function writeFailureWords(err) {
  const code = err?.code;
  switch (code) {
    case "ENOSPC":
      return "the disk is full";
    case "EDQUOT":
      return "the disk quota is used up";
    case "EROFS":
      return "the disk is read-only";
    case "EACCES":
    case "EPERM":
      return "permission denied (the folder is not writable)";
    case "ENOENT":
      return "its folder does not exist";
    case "ENOTDIR":
      return "a part of its folder path is not a folder";
    case "EIO":
      return "the disk failed (input/output error)";
    case "EFBIG":
      return "the file would be larger than this disk allows";
    default:
      return err?.message ?? String(err);
  }
}
var WriteFailedError = class extends Error {
  constructor(path5, cause, what = "was not written") {
    super(`${path5} ${what}: ${writeFailureWords(cause)}`);
    this.path = path5;
    this.code = cause?.code;
  }
  path;
  name = "WriteFailedError";
  code;
};

// src/main/session/lock.ts
import { closeSync as closeSync2, openSync as openSync2, readFileSync, rmSync, writeSync } from "node:fs";
var SessionLockedError = class extends Error {
  constructor(path5, pid) {
    super(`${path5} is being written by another HeapScope (process ${pid}): it is left as it is; pick another file, or stop that recording first`);
    this.path = path5;
    this.pid = pid;
  }
  path;
  pid;
  name = "SessionLockedError";
};
var lockPath = (session) => `${session}.lock`;
function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
function lockHolder(session) {
  let text;
  try {
    text = readFileSync(lockPath(session), "utf8");
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return alive(pid) ? pid : null;
}
function lockSession(session) {
  const file = lockPath(session);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd;
    try {
      fd = openSync2(file, "wx");
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const pid = lockHolder(session);
      if (pid !== null && pid !== process.pid) throw new SessionLockedError(session, pid);
      if (pid === process.pid) throw new SessionLockedError(session, pid);
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${process.pid}
`);
    } catch (err) {
      closeSync2(fd);
      rmSync(file, { force: true });
      throw err;
    }
    closeSync2(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      rmSync(file, { force: true });
    };
  }
  throw new SessionLockedError(session, -1);
}

// src/main/session/writer.ts
import zlib3 from "node:zlib";

// src/shared/heap/blockKinds.ts
var UNKNOWN = 0;
var FREE = 46;
var TAIL = 61;
var OLD_TAIL = 116;
var MAP_CHARS = (() => {
  const t = new Uint8Array(256);
  t[FREE] = 1;
  t[TAIL] = 1;
  for (let c2 = 65; c2 <= 90; c2++) t[c2] = 1;
  for (let c2 = 97; c2 <= 122; c2++) t[c2] = 1;
  return t;
})();

// src/shared/heap/metrics.ts
var LARGEST_FREE = 0;
var FREE_RUNS = 1;
var ONE = 2;
var TWO = 3;
var LARGEST_ALLOC = 4;
function scanArea(k, hist, acc) {
  const n2 = k.length;
  let largestFree = acc[LARGEST_FREE];
  let freeRuns = acc[FREE_RUNS];
  let one = acc[ONE];
  let two = acc[TWO];
  let largestAlloc = acc[LARGEST_ALLOC];
  let freeCount = 0;
  let tailCount = 0;
  const words = wordsOf(k);
  let i = 0;
  while (i < n2) {
    const c2 = k[i];
    if (c2 === FREE) {
      const end = runEnd(k, words, i + 1, n2, FREE, FREE4);
      const run = end - i;
      freeRuns++;
      freeCount += run;
      if (run > largestFree) largestFree = run;
      i = end;
    } else if (c2 === UNKNOWN) {
      hist[UNKNOWN]++;
      i++;
    } else {
      let end = i + 1;
      if (end < n2 && k[end] === TAIL) {
        end++;
        if (end < n2 && k[end] === TAIL) end = runEnd(k, words, end + 1, n2, TAIL, TAIL4);
      }
      const alloc = end - i;
      if (c2 === TAIL) tailCount += alloc;
      else {
        hist[c2 & 127]++;
        tailCount += alloc - 1;
      }
      if (alloc === 1) one++;
      else if (alloc === 2) two++;
      if (alloc > largestAlloc) largestAlloc = alloc;
      i = end;
    }
  }
  hist[FREE] += freeCount;
  hist[TAIL] += tailCount;
  acc[LARGEST_FREE] = largestFree;
  acc[FREE_RUNS] = freeRuns;
  acc[ONE] = one;
  acc[TWO] = two;
  acc[LARGEST_ALLOC] = largestAlloc;
}
var LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function wordsOf(k) {
  return LITTLE_ENDIAN && (k.byteOffset & 3) === 0 ? new Int32Array(k.buffer, k.byteOffset, k.length >>> 2) : null;
}
function runEnd(k, words, i, n2, code, code4) {
  if (words !== null) {
    let w = i >>> 2;
    const nw = words.length;
    if (w < nw) {
      let x = (words[w] ^ code4) & -1 << ((i & 3) << 3);
      for (; ; ) {
        if (x !== 0) return (w << 2) + (31 - Math.clz32(x & -x) >>> 3);
        if (++w >= nw) break;
        x = words[w] ^ code4;
      }
      i = w << 2;
    }
  }
  while (i < n2 && k[i] === code) i++;
  return i;
}
function repeated4(code) {
  return code * 16843009 | 0;
}
var FREE4 = repeated4(FREE);
var TAIL4 = repeated4(TAIL);
var cache = /* @__PURE__ */ new WeakMap();
function metricsOf(s) {
  let m = cache.get(s);
  if (!m) {
    m = computeMetrics(s);
    cache.set(s, m);
  }
  return m;
}
var HIST = new Uint32Array(128);
var ACC = new Float64Array(5);
var LETTERS = Array.from({ length: 128 }, (_, c2) => String.fromCharCode(c2));
function computeMetrics(s) {
  const hist = HIST.fill(0);
  const acc = ACC.fill(0);
  let blocks = 0;
  for (const area of s.areas) {
    blocks += area.kinds.length;
    scanArea(area.kinds, hist, acc);
  }
  const largestFreeRun = acc[LARGEST_FREE];
  const freeRuns = acc[FREE_RUNS];
  const oneBlockAllocs = acc[ONE];
  const twoBlockAllocs = acc[TWO];
  const largestAlloc = acc[LARGEST_ALLOC];
  const freeBlocks = hist[FREE];
  const tailBlocks = hist[TAIL];
  const unknownBlocks = hist[UNKNOWN];
  const headBlocks = blocks - freeBlocks - tailBlocks - unknownBlocks;
  const kinds = {};
  for (let c2 = 0; c2 < 128; c2++) {
    if (hist[c2] && c2 !== FREE && c2 !== TAIL && c2 !== UNKNOWN) kinds[LETTERS[c2]] = hist[c2];
  }
  const bs = s.blockSize;
  if (s.areas.length === 0) {
    const used = s.stats?.alloc ?? s.printed?.used ?? null;
    const free = s.stats?.free ?? s.printed?.free ?? null;
    const total = s.printed?.total ?? (used !== null && free !== null ? used + free : null);
    const maxFree = s.printed?.maxFreeSize ?? 0;
    return {
      blocks: 0,
      unknownBlocks: 0,
      freeBlocks: 0,
      headBlocks: 0,
      tailBlocks: 0,
      usedBytes: used,
      freeBytes: free,
      totalBytes: total,
      largestFreeRun: maxFree,
      largestFreeRunBytes: bs && maxFree ? maxFree * bs : null,
      freeRuns: 0,
      fragmentation: free && bs && maxFree ? Math.max(0, 1 - maxFree * bs / free) : 0,
      kinds: {},
      oneBlockAllocs: s.printed?.oneBlocks ?? 0,
      twoBlockAllocs: s.printed?.twoBlocks ?? 0,
      largestAlloc: s.printed?.maxBlockSize ?? 0
    };
  }
  return metricsFromCounts(
    { blocks, unknownBlocks, freeBlocks, headBlocks, tailBlocks, largestFreeRun, freeRuns, oneBlockAllocs, twoBlockAllocs, largestAlloc, kinds },
    bs
  );
}
function metricsFromCounts(c2, bs) {
  return {
    blocks: c2.blocks,
    unknownBlocks: c2.unknownBlocks,
    freeBlocks: c2.freeBlocks,
    headBlocks: c2.headBlocks,
    tailBlocks: c2.tailBlocks,
    largestFreeRun: c2.largestFreeRun,
    freeRuns: c2.freeRuns,
    oneBlockAllocs: c2.oneBlockAllocs,
    twoBlockAllocs: c2.twoBlockAllocs,
    largestAlloc: c2.largestAlloc,
    kinds: c2.kinds,
    usedBytes: bs ? (c2.headBlocks + c2.tailBlocks) * bs : null,
    freeBytes: bs ? c2.freeBlocks * bs : null,
    totalBytes: bs ? (c2.blocks - c2.unknownBlocks) * bs : null,
    largestFreeRunBytes: bs ? c2.largestFreeRun * bs : null,
    fragmentation: c2.freeBlocks ? 1 - c2.largestFreeRun / c2.freeBlocks : 0
  };
}

// src/shared/capture/dumpLines.ts
function coreRange(b, start, end) {
  let s = start;
  let e = end;
  while (s < e && (b[s] === 32 || b[s] === 9 || b[s] === 91 || b[s] === 39 || b[s] === 34)) s++;
  if (s < e && b[s] >= 48 && b[s] <= 57) {
    let i = s;
    while (i < e && b[i] >= 48 && b[i] <= 57) i++;
    if (i + 1 < e && b[i] === 62 && b[i + 1] === 32) s = i + 2;
  }
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9 || b[e - 1] === 39 || b[e - 1] === 34 || b[e - 1] === 44 || b[e - 1] === 93)) e--;
  return [s, e];
}
function matchMapAddress(b, s, e, knownWidth) {
  let i = s;
  let address = 0;
  const maxWidth = knownWidth ?? 8;
  while (i < e && i - s < maxWidth) {
    const c2 = b[i];
    if (c2 >= 48 && c2 <= 57) address = address * 16 + (c2 - 48);
    else if (c2 >= 97 && c2 <= 102) address = address * 16 + (c2 - 87);
    else break;
    i++;
  }
  const width = i - s;
  if (width < 3) return null;
  let separator = false;
  if (b[i] === 58) {
    separator = true;
    i++;
    if (b[i] === 32) i++;
  } else if (b[i] === 32) {
    if (knownWidth === null) return null;
    i++;
  } else if (knownWidth === null || width !== knownWidth) {
    return null;
  }
  if (i >= e) return null;
  return { address, width, separator, charsStart: i, charsEnd: e };
}
function matchMapLine(b, s, e, knownWidth) {
  const m = matchMapAddress(b, s, e, knownWidth);
  if (!m) return null;
  for (let i = m.charsStart; i < e; i++) if (MAP_CHARS[b[i]] !== 1) return null;
  return m;
}
function isStrongMapLine(b, m) {
  if (!m.separator || m.width < 4 || m.charsEnd - m.charsStart < 16) return false;
  for (let i = m.charsStart; i < m.charsEnd; i++) if (b[i] === 46 || b[i] === 61) return true;
  return false;
}
var FOLD = /^\(\s*(\d+) lines all free\)/;
var MEM = /^mem: total=(\d+), current=(\d+), peak=(\d+)/;
var STACK = /^stack: (\d+)(?: out of (\d+))?/;
var GC_LINE = /^GC: total: (\d+), used: (\d+), free: (\d+)(?:, max new split: (\d+))?/;
var GC_LINE_DAMAGED = /(\d+), used: (\d+), free: (\d+)(?:, max new split: (\d+))?$/;
var BLOCKS_LINE = /^No\. of 1-blocks: (\d+), 2-blocks: (\d+), max blk sz: (\d+)(?:, max free sz: (\d+))?/;
var LAYOUT = /^GC memory layout; from (?:0x)?([0-9a-fA-F]+):/;
var DUMP_STARTS = ["mem: total=", "stack: ", "GC: total: "];
var isHex = (c2) => c2 >= 48 && c2 <= 57 || c2 >= 97 && c2 <= 102;
function noisyMapLine(b, s, e, knownWidth) {
  let width = -1;
  let charsStart = -1;
  let separator = false;
  let damagedSeparator = false;
  const fullWidth = knownWidth ?? (e - s - 66 === 4 || e - s - 66 === 5 || e - s - 66 === 8 ? e - s - 66 : null);
  if (fullWidth !== null && e - s === fullWidth + 66) {
    width = fullWidth;
    charsStart = s + width + 2;
    separator = b[s + width] === 58 && b[s + width + 1] === 32;
    damagedSeparator = !separator;
  } else if (knownWidth !== null && e - s > knownWidth + 2 && (b[s + knownWidth] === 58 || b[s + knownWidth + 1] === 32 || MAP_CHARS[b[s + knownWidth]] !== 1 && MAP_CHARS[b[s + knownWidth + 1]] !== 1)) {
    width = knownWidth;
    const after = b[s + width + 1];
    separator = b[s + width] === 58 && after === 32;
    damagedSeparator = !separator && (after === 32 || MAP_CHARS[after] !== 1);
    charsStart = s + width + (b[s + width] !== 58 || after === 32 || MAP_CHARS[after] !== 1 ? 2 : 1);
  } else {
    let p = s;
    while (p < e && p - s < 8 && isHex(b[p])) p++;
    let colon = s + 3;
    while (colon < e && colon <= s + 8 && b[colon] !== 58) colon++;
    if (colon < e && colon <= s + 8) {
      width = colon - s;
      const after = colon + 1 < e ? b[colon + 1] : 32;
      separator = after === 32;
      damagedSeparator = MAP_CHARS[after] !== 1 && after !== 32;
      charsStart = MAP_CHARS[after] !== 1 ? colon + 2 : colon + 1;
    } else if (p - s >= (knownWidth === null ? 4 : 3) && p + 1 < e && b[p + 1] === 32) {
      width = p - s;
      charsStart = p + 2;
      damagedSeparator = true;
    }
    if (width < 0 && knownWidth !== null && e - s === knownWidth + 64) {
      width = knownWidth;
      charsStart = s + width;
    }
    if (width < 0) return null;
    if (knownWidth !== null && width !== knownWidth && e - charsStart !== 64) return null;
  }
  if (width < 4 && !(knownWidth !== null && width >= 3)) return null;
  const n2 = e - charsStart;
  if (n2 <= 0) return null;
  let address = 0;
  let badDigits = 0;
  for (let i = s; i < s + width; i++) {
    const c2 = b[i];
    if (isHex(c2)) address = address * 16 + (c2 <= 57 ? c2 - 48 : c2 - 87);
    else {
      badDigits++;
      address = address * 16;
    }
  }
  if (badDigits * 2 > width) return null;
  let badCells = 0;
  for (let i = charsStart; i < e; i++) if (MAP_CHARS[b[i]] !== 1) badCells++;
  if (badCells === n2 || badCells > Math.max(3, n2 >> 2)) return null;
  return { address, width, separator, charsStart, charsEnd: e, garbled: badDigits > 0, damagedSeparator };
}

// src/shared/heap/snapshot.ts
function emptyPrinted() {
  return {
    total: null,
    used: null,
    free: null,
    maxNewSplit: null,
    oneBlocks: null,
    twoBlocks: null,
    maxBlockSize: null,
    maxFreeSize: null,
    stackUsed: null,
    stackLimit: null,
    mem: null
  };
}

// src/shared/capture/dumpAssembler.ts
var BufferPool = class {
  free = [];
  freeEntries = [];
  take() {
    return this.free.pop() ?? new Uint8Array(16384);
  }
  give(buf) {
    if (this.free.length < 8) this.free.push(buf);
  }
  /**
   * Entry lists, reused with their objects: a dump's entries die with it, and a new object
   * per map line (most of a capture's lines) was most of what the parser left to collect.
   */
  takeEntries() {
    return this.freeEntries.pop() ?? [];
  }
  giveEntries(entries) {
    if (this.freeEntries.length < 8) this.freeEntries.push(entries);
  }
};
function addEntry(area, fold, address, width, separator, garbled, kindStart, length, line) {
  const k = area.count++;
  if (k < area.entries.length) {
    const e = area.entries[k];
    e.fold = fold;
    e.address = address;
    e.width = width;
    e.separator = separator;
    e.garbled = garbled;
    e.kindStart = kindStart;
    e.length = length;
    e.line = line;
  } else {
    area.entries.push({ fold, address, width, separator, garbled, kindStart, length, line });
  }
}
var sharedPool = new BufferPool();
var SEEN_MAP = 1;
var SEEN_TAIL = 2;
var SEEN_OLD_TAIL = 4;
var NOT_MAP = 128;
var MAP_FLAGS = (() => {
  const t = new Uint8Array(256);
  for (let c2 = 0; c2 < 256; c2++) t[c2] = MAP_CHARS[c2] === 1 ? SEEN_MAP : NOT_MAP;
  t[TAIL] |= SEEN_TAIL;
  t[OLD_TAIL] |= SEEN_OLD_TAIL;
  return t;
})();
var HEX_VALUE = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let c2 = 48; c2 <= 57; c2++) t[c2] = c2 - 48;
  for (let c2 = 97; c2 <= 102; c2++) t[c2] = c2 - 87;
  return t;
})();
var DumpAssembler = class {
  constructor(byteStart, framing, seq, deviceMs, collected, pool = sharedPool) {
    this.byteStart = byteStart;
    this.framing = framing;
    this.seq = seq;
    this.deviceMs = deviceMs;
    this.collected = collected;
    this.pool = pool;
  }
  byteStart;
  framing;
  seq;
  deviceMs;
  collected;
  pool;
  stage = 0 /* None */;
  printed = emptyPrinted();
  hasPrinted = false;
  areas = [];
  /** Address width of the map lines read so far (the era's width). */
  width = null;
  problems = [];
  /** 1-based line where the dump starts (set by the first dump line). */
  line = 0;
  /** Blocks read as UNKNOWN because noise replaced their character. */
  noisyBlocks = 0;
  tailSeenT = false;
  tailSeenEq = false;
  /** The buffer map lines last came in (a chunk, as a rule), and a DataView of it. */
  lineBytes = null;
  lineView = null;
  /** Records the line a dump starts on: the first header or map line seen. */
  touch(line) {
    if (this.line === 0) this.line = line;
  }
  setMem(total, current, peak, line) {
    this.touch(line);
    this.printed.mem = { total, current, peak };
    this.hasPrinted = true;
    this.stage = 1 /* Mem */;
  }
  setStack(used, limit, line) {
    this.touch(line);
    this.printed.stackUsed = used;
    this.printed.stackLimit = limit;
    this.hasPrinted = true;
    this.stage = 2 /* Stack */;
  }
  setGc(total, used, free, maxNewSplit, line) {
    this.touch(line);
    Object.assign(this.printed, { total, used, free, maxNewSplit });
    this.hasPrinted = true;
    this.stage = 3 /* Gc */;
  }
  setBlocks(one, two, maxBlock, maxFree, line) {
    this.touch(line);
    Object.assign(this.printed, { oneBlocks: one, twoBlocks: two, maxBlockSize: maxBlock, maxFreeSize: maxFree });
    this.hasPrinted = true;
    this.stage = 4 /* Blocks */;
  }
  startArea(address, line) {
    this.touch(line);
    this.stage = 5 /* Map */;
    const kinds = this.pool.take();
    this.areas.push({ address: address.toLowerCase(), entries: this.pool.takeEntries(), count: 0, kinds, kindsView: viewOf(kinds), length: 0 });
  }
  /** The area lines go to; with `create`, one without an address for a map with no header. */
  currentArea(line, create) {
    if (this.areas.length === 0) {
      if (!create) return null;
      this.startArea("", line);
    }
    return this.areas[this.areas.length - 1];
  }
  /**
   * Reads `b[s, e)` as a map line of this dump and adds it; false (and nothing added) if it
   * is not one. Works on the bytes, with no string or match object per line: map lines are
   * most of a capture.
   */
  tryMapLine(b, s, e, line) {
    const knownWidth = this.width;
    let address = 0;
    let width;
    let separator;
    let i;
    let fast = knownWidth !== null && s + knownWidth + 2 < e && b[s + knownWidth] === 58 && b[s + knownWidth + 1] === 32;
    if (fast) {
      const stop2 = s + knownWidth;
      for (let j = s; j < stop2; j++) {
        const d = HEX_VALUE[b[j]];
        if (d === 255) {
          fast = false;
          break;
        }
        address = address * 16 + d;
      }
    }
    if (fast) {
      width = knownWidth;
      separator = true;
      i = s + width + 2;
    } else {
      const m = matchMapAddress(b, s, e, knownWidth);
      if (m === null) return false;
      address = m.address;
      width = m.width;
      separator = m.separator;
      i = m.charsStart;
    }
    const n2 = e - i;
    if (n2 <= 0) return false;
    if (knownWidth !== null && width !== knownWidth && n2 !== 64) return false;
    if (b !== this.lineBytes) {
      this.lineBytes = b;
      this.lineView = viewOf(b);
    }
    let area = this.currentArea(line, false);
    let at;
    if (area !== null) {
      at = area.length;
      if (at + n2 > area.kinds.length) this.reserve(area, n2);
      const seen = copyMapCells(this.lineView, b, i, e, area.kindsView, at);
      if (seen & NOT_MAP) return false;
      if (seen & SEEN_TAIL) this.tailSeenEq = true;
      if (seen & SEEN_OLD_TAIL) this.tailSeenT = true;
    } else {
      const seen = mapFlags(this.lineView, b, i, e);
      if (seen & NOT_MAP) return false;
      area = this.currentArea(line, true);
      at = area.length;
      if (at + n2 > area.kinds.length) this.reserve(area, n2);
      copyBytes(this.lineView, i, area.kindsView, at, n2);
      if (seen & SEEN_TAIL) this.tailSeenEq = true;
      if (seen & SEEN_OLD_TAIL) this.tailSeenT = true;
    }
    this.touch(line);
    this.stage = 5 /* Map */;
    if (this.width === null && separator && width >= 4) this.width = width;
    area.length += n2;
    addEntry(area, 0, address, width, separator, false, at, n2, line);
    return true;
  }
  /**
   * A map line that serial noise hit, once tryMapLine has refused it: bytes that are no block
   * character become UNKNOWN blocks, a garbled address is placed by position, a damaged `: `
   * still separates. Only inside a dump whose header came (a noisy line is never what starts
   * a dump), and only when most of the line still reads as a map line, so that a program's
   * output after the dump is not swallowed. False (and nothing added) if it is not one.
   */
  tryNoisyMapLine(b, s, e, line) {
    if (this.stage < 3 /* Gc */) return false;
    const m = noisyMapLine(b, s, e, this.width);
    if (m === null) return false;
    const n2 = e - m.charsStart;
    const area = this.currentArea(line, true);
    const at = area.length;
    if (at + n2 > area.kinds.length) this.reserve(area, n2);
    const kinds = area.kinds;
    let unread = 0;
    for (let i = 0; i < n2; i++) {
      const c2 = b[m.charsStart + i];
      if (MAP_CHARS[c2] === 1) {
        kinds[at + i] = c2;
        if (c2 === TAIL) this.tailSeenEq = true;
        else if (c2 === OLD_TAIL) this.tailSeenT = true;
      } else {
        kinds[at + i] = UNKNOWN;
        unread++;
      }
    }
    this.touch(line);
    this.stage = 5 /* Map */;
    if (this.width === null && !m.garbled && m.separator && m.width >= 4) this.width = m.width;
    area.length += n2;
    addEntry(area, 0, m.address, m.width, m.separator || m.damagedSeparator, m.garbled, at, n2, line);
    this.noisyBlocks += unread;
    const what = [
      unread ? `${unread} character${unread > 1 ? "s" : ""} that ${unread > 1 ? "are" : "is"} no block (read as unknown block${unread > 1 ? "s" : ""})` : "",
      m.garbled ? "a garbled address (placed by position)" : "",
      m.damagedSeparator ? 'a damaged ": "' : ""
    ].filter(Boolean);
    this.problems.push(`line ${line}: noise on the link: ${what.join(", ") || "unexpected bytes"}`);
    return true;
  }
  addFold(lines, line) {
    this.touch(line);
    this.stage = 5 /* Map */;
    const area = this.currentArea(line, true);
    const n2 = lines * 64;
    const at = area.length;
    this.reserve(area, n2);
    area.kinds.fill(FREE, at, at + n2);
    area.length += n2;
    addEntry(area, lines, 0, 0, true, false, at, n2, line);
  }
  get hasMap() {
    return this.areas.length > 0;
  }
  /** Room for n more blocks in the area; returns its kinds buffer. */
  reserve(area, n2) {
    if (area.length + n2 <= area.kinds.length) return area.kinds;
    let size = area.kinds.length * 2;
    while (size < area.length + n2) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(area.kinds.subarray(0, area.length));
    area.kinds = grown;
    area.kindsView = viewOf(grown);
    return grown;
  }
  /**
   * Resolves the dump. `cut` says why it may be short (the capture ended inside it, or its
   * frame's end marker never came), or is null. `check`: compare the printed figures with the map.
   */
  finish(index, byteEnd, cut, check = true) {
    const problems = this.problems;
    if (cut) problems.push(cut);
    const oldTails = this.tailSeenT && !this.tailSeenEq;
    const style = this.addressStyle();
    const unit = this.addressUnit(style);
    let blockSize = style === "index4" ? null : unit;
    let holes = 0;
    const areas = [];
    let blocks = 0;
    for (const a of this.areas) {
      const placed = this.place(a, style, unit, problems);
      holes += placed.holes;
      blocks += placed.kinds.length;
      if (oldTails) {
        const k = placed.kinds;
        for (let i = 0; i < k.length; i++) if (k[i] === OLD_TAIL) k[i] = TAIL;
      }
      areas.push({ address: a.address, blocks: placed.kinds.length, kinds: placed.kinds });
      this.pool.give(a.kinds);
      this.pool.giveEntries(a.entries);
    }
    const knownBlocks = blocks - holes;
    const printed = this.hasPrinted ? this.printed : null;
    if (blockSize === null && printed?.total && knownBlocks > 0) {
      const bs = printed.total / (knownBlocks + holes);
      if (Number.isInteger(bs) && bs > 0 && (bs & bs - 1) === 0) blockSize = bs;
    }
    const snapshot = {
      index,
      line: this.line,
      byteStart: this.byteStart,
      byteEnd,
      framing: this.framing,
      seq: this.seq,
      deviceMs: this.deviceMs,
      collected: this.collected,
      printed,
      blockSize,
      addressStyle: areas.length ? style : null,
      areas,
      stats: null,
      complete: false,
      consistent: true,
      problems
    };
    if (areas.length === 0) {
      snapshot.complete = false;
      return snapshot;
    }
    const noisy = this.noisyBlocks;
    let complete = !cut && holes === 0 && noisy === 0 && knownBlocks > 0;
    let consistent = true;
    if (holes) problems.push(`${holes} blocks missing from the map`);
    if (noisy) problems.push(`${noisy} block${noisy > 1 ? "s" : ""} unreadable (noise on the link): counted in neither used nor free`);
    if (blockSize === null) {
      problems.push("block size unknown: the map has too few lines and no total to infer it from");
      complete = false;
      if (printed && (printed.total !== null || printed.used !== null || printed.free !== null)) {
        consistent = false;
        problems.push("the map cannot be checked against the printed total, used and free");
      }
    }
    if (check && printed && blockSize !== null) {
      const m = metricsOf(snapshot);
      if (printed.total !== null && printed.total !== (knownBlocks + holes) * blockSize) {
        complete = false;
        consistent = false;
        problems.push(
          `map covers ${(knownBlocks * blockSize).toLocaleString("en-US")} bytes, header says total ${printed.total.toLocaleString("en-US")}`
        );
      }
      if (printed.used !== null && m.usedBytes !== printed.used) {
        consistent = false;
        problems.push(`map shows ${m.usedBytes} bytes used, header says ${printed.used}`);
      }
      if (printed.free !== null && m.freeBytes !== printed.free) {
        consistent = false;
        problems.push(`map shows ${m.freeBytes} bytes free, header says ${printed.free}`);
      }
      if (printed.maxFreeSize !== null && consistent && m.largestFreeRun !== printed.maxFreeSize) {
        consistent = false;
        problems.push(`longest free run is ${m.largestFreeRun} blocks, header says ${printed.maxFreeSize}`);
      }
    }
    snapshot.complete = complete;
    snapshot.consistent = consistent;
    return snapshot;
  }
  /** The width of the first map line whose address was read (not a fold, not garbled). */
  firstReadWidth() {
    for (const a of this.areas) {
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (!e.fold && !e.garbled) return e.width;
      }
    }
    return null;
  }
  addressStyle() {
    const w = this.width ?? this.firstReadWidth() ?? 8;
    if (w >= 8) return "off8";
    if (w === 4) return "index4";
    const unit = this.addressUnit("off5");
    if (unit === null) return "off5";
    for (const a of this.areas) {
      if (!a.address) continue;
      const low = parseInt(a.address, 16) & 1048575;
      if (low === 0) continue;
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (e.fold || e.garbled || e.width !== 5) continue;
        const offset = e.kindStart * unit & 1048575;
        if (e.address === (low + offset & 1048575)) return "abs5";
        if (e.address === offset) return "off5";
      }
    }
    return "off5";
  }
  /**
   * Address units per block: the block size for pointer and offset columns, 1 for the old
   * block-index column. Taken from the step between map lines whose addresses look intact;
   * the most common step wins, so one damaged address cannot mislead it.
   */
  addressUnit(style) {
    if (style === "index4") return 1;
    const votes = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const seen = [];
    const mod = style === "off8" ? 2 ** 32 : 1048576;
    for (const a of this.areas) {
      let prev = null;
      let between = 0;
      for (let k = 0; k < a.count; k++) {
        const e = a.entries[k];
        if (e.fold) {
          between += e.length;
          continue;
        }
        if (e.garbled || this.width !== null && e.width !== this.width) {
          prev = null;
          between = 0;
          continue;
        }
        if (prev && prev.length === 64) {
          const blocks = 64 + between;
          const step = wrap(e.address - prev.address, mod);
          const u = step / blocks;
          if (Number.isInteger(u) && u > 0 && (u & u - 1) === 0 && u <= 256) {
            const slot = 31 - Math.clz32(u);
            if (votes[slot]++ === 0) seen.push(u);
          }
        }
        prev = e;
        between = 0;
      }
    }
    const printedTotal = this.hasPrinted ? this.printed.total : null;
    let fromTotal = 0;
    if (printedTotal !== null && seen.length > 0) {
      let blocks = 0;
      for (const a of this.areas) blocks += a.length;
      const u = blocks > 0 ? printedTotal / blocks : 0;
      if (Number.isInteger(u) && u > 0 && (u & u - 1) === 0 && u <= 256) fromTotal = u;
    }
    let best = null;
    let bestVotes = 0;
    for (const u of seen) {
      const v = 2 * votes[31 - Math.clz32(u)] + (u === fromTotal ? 3 : 0);
      if (v > bestVotes) [best, bestVotes] = [u, v];
    }
    if (fromTotal && !seen.includes(fromTotal) && 3 > bestVotes) best = fromTotal;
    return best;
  }
  /**
   * Places an area's lines. An intact address that jumps ahead by whole lines means lines
   * were lost: their blocks become UNKNOWN, never invented. A shortened or garbled address is
   * placed by its position and reported.
   */
  place(a, style, unit, problems) {
    const kinds = a.kinds.subarray(0, a.length);
    const mod = style === "off8" ? 2 ** 32 : style === "index4" ? 65536 : 1048576;
    const origin = style === "abs5" && a.address ? parseInt(a.address, 16) & 1048575 : 0;
    const width = this.width;
    const where = a.address ? ` (area ${a.address})` : "";
    if (unit === null) {
      for (let k = 0; k < a.count; k++) this.checkLength(a, a.entries[k], problems);
      return { kinds: kinds.slice(), holes: 0 };
    }
    const lineSpan = 64 * unit;
    let expected = origin;
    const gaps = [];
    let gapBlocks = 0;
    const entries = a.entries;
    for (let k = 0; k < a.count; k++) {
      const e = entries[k];
      if (e.fold) {
        expected = wrap(expected + e.fold * lineSpan, mod);
        continue;
      }
      this.checkLength(a, e, problems);
      const fullWidth = width === null || e.width === width;
      if (e.garbled) {
      } else if (e.address !== expected) {
        const ahead = wrap(e.address - expected, mod);
        if (!fullWidth) {
          problems.push(`line ${e.line}: address cut short to ${e.width} digits${where}; placed by position`);
        } else if (ahead % lineSpan === 0 && ahead / lineSpan <= 16384 && ahead < mod / 2 && this.gapConfirmed(a, k, expected, lineSpan, unit, mod, gapBlocks)) {
          const lost = ahead / unit;
          problems.push(`line ${e.line}: ${ahead / lineSpan} map lines missing before it${where}`);
          gaps.push({ at: e.kindStart, blocks: lost });
          gapBlocks += lost;
          expected = e.address;
        } else {
          problems.push(
            `line ${e.line}: address ${e.address.toString(16)} does not follow ${expected.toString(16)}${where}; placed by position`
          );
        }
      } else if (!e.separator) {
        problems.push(`line ${e.line}: ": " separator lost${where}; read by position`);
      }
      expected = wrap(expected + lineSpan, mod);
    }
    if (gaps.length === 0) return { kinds: kinds.slice(), holes: 0 };
    const holes = gaps.reduce((n2, g) => n2 + g.blocks, 0);
    const out = new Uint8Array(kinds.length + holes);
    let src = 0;
    let dst = 0;
    for (const g of gaps) {
      out.set(kinds.subarray(src, g.at), dst);
      dst += g.at - src;
      out.fill(UNKNOWN, dst, dst + g.blocks);
      dst += g.blocks;
      src = g.at;
    }
    out.set(kinds.subarray(src), dst);
    return { kinds: out, holes };
  }
  /**
   * Whether a jump in entries[k]'s address means lost lines rather than a digit noise
   * changed into another: the next line with a readable address must follow the new
   * address, not the old one. For the last line, the printed total decides when there is one.
   */
  gapConfirmed(a, k, expected, lineSpan, unit, mod, holes) {
    const entries = a.entries;
    let span = lineSpan;
    for (let j = k + 1; j < a.count; j++) {
      const n2 = entries[j];
      if (n2.fold) {
        span += n2.fold * lineSpan;
        continue;
      }
      if (n2.garbled || this.width !== null && n2.width !== this.width) {
        span += lineSpan;
        continue;
      }
      if (n2.address === wrap(entries[k].address + span, mod)) return true;
      if (n2.address === wrap(expected + span, mod)) return false;
      span += lineSpan;
    }
    const total = this.hasPrinted ? this.printed.total : null;
    if (total === null || unit === 1 || this.areas.length !== 1) return true;
    const lost = wrap(entries[k].address - expected, mod) / unit;
    return total === (a.length + holes + lost) * unit;
  }
  checkLength(a, e, problems) {
    const last = a.entries[a.count - 1] === e;
    if (e.length > 64) problems.push(`line ${e.line}: ${e.length} blocks on one map line (a line break was lost)`);
    else if (e.length < 64 && !last) problems.push(`line ${e.line}: map line has ${e.length} blocks, 64 expected (characters lost)`);
  }
};
function wrap(x, mod) {
  return x >= 0 && x < mod ? x : (x % mod + mod) % mod;
}
function mapFlags(view, b, i, e) {
  let seen = 0;
  let j = i;
  for (; j + 4 <= e; j += 4) {
    const v = view.getUint32(j, true);
    seen |= MAP_FLAGS[v & 255] | MAP_FLAGS[v >>> 8 & 255] | MAP_FLAGS[v >>> 16 & 255] | MAP_FLAGS[v >>> 24];
  }
  for (; j < e; j++) seen |= MAP_FLAGS[b[j]];
  return seen;
}
var MAP_FLAGS2 = (() => {
  const t = new Uint8Array(1 << 16);
  const rows = /* @__PURE__ */ new Map();
  for (let hi = 0; hi < 256; hi++) {
    const f = MAP_FLAGS[hi];
    let row = rows.get(f);
    if (!row) {
      row = MAP_FLAGS.map((lo) => lo | f);
      rows.set(f, row);
    }
    t.set(row, hi << 8);
  }
  return t;
})();
function copyMapCells(view, b, i, e, dst, to) {
  let seen = 0;
  let j = i;
  let o = to;
  for (; j + 4 <= e; j += 4, o += 4) {
    const v = view.getUint32(j, true);
    dst.setUint32(o, v, true);
    seen |= MAP_FLAGS2[v & 65535] | MAP_FLAGS2[v >>> 16];
  }
  for (; j < e; j++, o++) {
    const c2 = b[j];
    dst.setUint8(o, c2);
    seen |= MAP_FLAGS[c2];
  }
  return seen;
}
function viewOf(b) {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
function copyBytes(src, from, dst, to, n2) {
  let k = 0;
  for (; k + 4 <= n2; k += 4) dst.setInt32(to + k, src.getInt32(from + k, true), true);
  for (; k < n2; k++) dst.setUint8(to + k, src.getUint8(from + k));
}

// src/shared/capture/deviceLines.ts
var MEMORY_ERROR = /MemoryError(?::\s*(.*))?$/;
var ALLOCATING = /allocating (\d+) bytes/;
var BANNER = /^(MicroPython|Adafruit CircuitPython|CircuitPython) (v?\d[^\s;]*)(?:[^;]*?on ([^;]+))?;\s*(.*)$/;
function deviceEventOf(text, line, byteOffset) {
  const t = text.trim();
  if (t.length === 0) return null;
  const c2 = t.charCodeAt(0);
  if (/soft reboot/i.test(t) && t.length < 40) {
    return { type: "device", kind: "softReboot", text: t, line, byteOffset };
  }
  if (c2 === 84 && t.startsWith("Traceback (most recent call last)")) {
    return { type: "device", kind: "traceback", text: t, line, byteOffset };
  }
  if (t.includes("MemoryError")) {
    const m = MEMORY_ERROR.exec(t);
    if (m) {
      const a = ALLOCATING.exec(t);
      const ev = { type: "device", kind: "memoryError", text: t, line, byteOffset };
      if (a) ev.bytes = Number(a[1]);
      return ev;
    }
  }
  if (c2 === 75 && t.startsWith("KeyboardInterrupt")) {
    return { type: "device", kind: "keyboardInterrupt", text: t, line, byteOffset };
  }
  if (c2 === 77 || c2 === 65 || c2 === 67) {
    const m = BANNER.exec(t);
    if (m) {
      const detail = { implementation: m[1], version: m[2] };
      if (m[3]) detail.date = m[3].trim();
      if (m[4]) detail.board = m[4].trim();
      return { type: "device", kind: "banner", text: t, line, byteOffset, detail };
    }
  }
  return null;
}

// src/shared/capture/lineSplitter.ts
var MAX_LINE_BYTES = 64 << 10;
var LF = 10;
var CR = 13;
var LineSplitter = class {
  // stream offset of the next byte to arrive
  constructor(sink, maxLine = MAX_LINE_BYTES) {
    this.sink = sink;
    this.maxLine = maxLine;
  }
  sink;
  maxLine;
  carry = new Uint8Array(256);
  carryLen = 0;
  carryOffset = 0;
  /** Bytes of the carried line past MAX_LINE_BYTES: counted, not kept. */
  carryCut = 0;
  /** The carried line ended in `\r` at the end of the previous chunk. */
  heldCR = false;
  lineNo = 0;
  offset = 0;
  /** Bytes consumed so far. */
  get bytesSeen() {
    return this.offset;
  }
  push(chunk) {
    const n2 = chunk.length;
    if (n2 === 0) return;
    const base = this.offset;
    this.offset += n2;
    let pos = 0;
    if (this.heldCR) {
      this.heldCR = false;
      if (chunk[0] === LF) {
        this.emitCarry(2);
        pos = 1;
      } else {
        this.emitCarry(1);
      }
    }
    const words = (chunk.byteOffset & 3) === 0 ? new Int32Array(chunk.buffer, chunk.byteOffset, n2 >>> 2) : null;
    while (pos < n2) {
      const t = nextTerminator(chunk, words, pos, n2);
      if (t === -1) {
        this.appendCarry(chunk, pos, n2, base + pos);
        return;
      }
      if (chunk[t] === CR && t === n2 - 1) {
        this.appendCarry(chunk, pos, t, base + pos);
        this.heldCR = true;
        return;
      }
      const termLen = chunk[t] === CR && chunk[t + 1] === LF ? 2 : 1;
      if (this.carryLen > 0) {
        this.appendCarry(chunk, pos, t, base + pos);
        this.emitCarry(termLen);
      } else if (t - pos > this.maxLine) {
        this.sink.line(chunk, pos, pos + this.maxLine, termLen, ++this.lineNo, base + pos, t - pos - this.maxLine);
      } else {
        this.sink.line(chunk, pos, t, termLen, ++this.lineNo, base + pos, 0);
      }
      pos = t + termLen;
    }
  }
  /** The stream ended: a held or unterminated last line is emitted. */
  end() {
    if (this.heldCR) {
      this.heldCR = false;
      this.emitCarry(1);
    } else if (this.carryLen > 0 || this.carryCut > 0) {
      this.emitCarry(0);
    }
  }
  appendCarry(src, from, to, streamOffset) {
    const len = to - from;
    if (this.carryLen === 0) this.carryOffset = streamOffset;
    if (len === 0) {
      return;
    }
    const keep = Math.min(len, this.maxLine - this.carryLen);
    this.carryCut += len - keep;
    if (keep === 0) return;
    to = from + keep;
    if (this.carryLen + keep > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < this.carryLen + keep) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen += keep;
  }
  emitCarry(termLen) {
    const len = this.carryLen;
    const cut = this.carryCut;
    this.carryLen = 0;
    this.carryCut = 0;
    this.sink.line(this.carry, 0, len, termLen, ++this.lineNo, this.carryOffset, cut);
  }
};
function nextTerminator(chunk, words, pos, n2) {
  let t = pos;
  const nw = n2 >>> 2;
  while (t < n2) {
    if (words !== null && (t & 3) === 0) {
      let w = t >>> 2;
      while (w < nw) {
        const v = words[w];
        if ((v - 235802126 & ~v & 2155905152) !== 0) break;
        w++;
      }
      t = w << 2;
      if (t >= n2) break;
    }
    const c2 = chunk[t];
    if (c2 === LF || c2 === CR) return t;
    t++;
  }
  return -1;
}

// src/shared/capture/text.ts
var utf8 = new TextDecoder("utf-8");
function lineText(bytes, start, end) {
  if (isPlainAscii(bytes, start, end)) return asciiString(bytes, start, end);
  return stripTerminalCodes(utf8.decode(bytes.subarray(start, end)));
}
function isPlainAscii(bytes, start, end) {
  for (let i = start; i < end; i++) {
    const c2 = bytes[i];
    if (c2 < 32 || c2 >= 127) return false;
  }
  return true;
}
function asciiString(bytes, start, end) {
  if (end <= start) return "";
  if (end - start < 4096) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end));
  }
  return utf8.decode(bytes.subarray(start, end));
}
var TERMINAL_CODES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
function stripTerminalCodes(s) {
  return s.replace(TERMINAL_CODES, "");
}

// src/shared/capture/captureReader.ts
var FEED_SLICE = 64 << 10;
var AT = 64;
var TICKS_PERIOD = 2 ** 30;
function wallClockOf(tuple) {
  const f = tuple.split(",").map((x) => Number(x.trim()));
  if (f.length < 6 || f.slice(0, 6).some((x) => !Number.isInteger(x))) return null;
  const [y, mo, d, h2, mi, sec] = f;
  if (y < 2e3 || mo < 1 || mo > 12 || d < 1 || d > 31 || h2 > 23 || mi > 59 || sec > 60) return null;
  const ms = new Date(y, mo - 1, d, h2, mi, sec).getTime();
  return Number.isFinite(ms) ? ms : null;
}
var CaptureReader = class {
  /**
   * `checkFigures: false` skips checking each dump's printed figures against its map (the
   * complete/consistent verdicts): for a reader whose dumps were checked when first captured
   * (a stored session's index already holds those verdicts), it is work thrown away.
   */
  constructor(opts = {}) {
    this.opts = opts;
  }
  opts;
  splitter = new LineSplitter(this);
  out = [];
  dump = null;
  frame = null;
  snapshots = 0;
  nextSeq = null;
  /** The frame open is pi-mst's clock line (`@@@ <ticks_ms> (<localtime>)`), not a dump yet. */
  clockLine = false;
  /** pi-mst's clock line: device ticks and the wall-clock time (ms since the epoch) they were. */
  clock = null;
  /** Stream offset just past the last line handled: where an unframed dump ends. */
  lastLineEnd = 0;
  /** Line number of the last empty line logged or skipped (see log()). */
  lastEmptyLine = -2;
  /** See ascii(). */
  memoLine = -1;
  memoBytes = null;
  memoStart = 0;
  memoEnd = 0;
  memoText = "";
  /** Feeds bytes; returns the events they completed. */
  feed(chunk) {
    const plain = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    this.splitter.push(plain);
    return this.take();
  }
  /** The capture ended: flushes the last line and any dump in progress. */
  end() {
    this.splitter.end();
    if (this.dump) {
      this.finishDump(this.lastLineEnd, this.frame ? "the capture ends before the dump does" : null);
    }
    return this.take();
  }
  get bytesSeen() {
    return this.splitter.bytesSeen;
  }
  /**
   * The wall-clock time (ms since the epoch) of a device tick count, where the capture tied
   * its ticks to the board's clock (pi-mst's first line); null where it did not. ticks_ms
   * wraps at 2^30 ms.
   */
  wallClockOf(deviceMs) {
    if (deviceMs === null || this.clock === null) return null;
    let delta = deviceMs - this.clock.deviceMs;
    if (delta < 0) delta += TICKS_PERIOD;
    return delta >= 0 && delta < TICKS_PERIOD ? this.clock.wallMs + delta : null;
  }
  /** True while a dump has started and not ended (its bytes are not settled yet). */
  get inDump() {
    return this.dump !== null;
  }
  /**
   * asciiString, remembering the last range: a line outside a dump is tried as a header, as
   * a dump starting mid-line, then logged, and used to be decoded for each. The line number
   * is part of the key because the carry buffer is reused from line to line.
   */
  ascii(b, s, e, lineNo) {
    if (lineNo !== this.memoLine || b !== this.memoBytes || s !== this.memoStart || e !== this.memoEnd) {
      this.memoText = asciiString(b, s, e);
      this.memoLine = lineNo;
      this.memoBytes = b;
      this.memoStart = s;
      this.memoEnd = e;
    }
    return this.memoText;
  }
  take() {
    const events = this.out;
    this.out = [];
    return events;
  }
  line(b, start, end, termLen, lineNo, byteOffset, cut = 0) {
    const lineEnd = byteOffset + (end - start) + cut + termLen;
    if (cut > 0) {
      this.longLine(b, start, end, cut, lineNo, byteOffset);
      this.lastLineEnd = lineEnd;
      return;
    }
    const d = this.dump;
    if (d !== null && d.stage === 5 /* Map */ && isHexDigit(b[start]) && d.tryMapLine(b, start, end, lineNo)) {
      this.lastLineEnd = lineEnd;
      return;
    }
    try {
      if (!hasAt(b, start, end)) {
        this.plainLine(b, start, end, lineNo, byteOffset);
      } else {
        this.handle(b, start, end, lineEnd, lineNo, byteOffset);
      }
    } catch (err) {
      this.dump = null;
      this.frame = null;
      this.log(b, start, end, lineNo, byteOffset);
      this.out.push({
        type: "device",
        kind: "traceback",
        text: `HeapScope could not read line ${lineNo}: ${err.message}`,
        line: lineNo,
        byteOffset
      });
    }
    this.lastLineEnd = lineEnd;
  }
  handle(b, start, end, lineEnd, lineNo, byteOffset) {
    let at = -1;
    for (let i = start; i < end - 1; i++) {
      if (b[i] === AT && b[i + 1] === AT) {
        at = i;
        break;
      }
    }
    if (at !== -1) {
      if (at > start) {
        this.handle(b, start, at, byteOffset + (at - start), lineNo, byteOffset);
        this.lastLineEnd = byteOffset + (at - start);
      }
      if (this.marker(b, at, end, lineEnd, lineNo, byteOffset + (at - start))) return;
    }
    this.plainLine(b, start, end, lineNo, byteOffset);
  }
  /** A line (or the part of one) with no frame marker in it. */
  plainLine(b, start, end, lineNo, byteOffset) {
    const [s, e] = coreRange(b, start, end);
    if (this.dump) {
      if (this.dumpLine(b, s, e, lineNo)) return;
      if (this.frame) {
        if (e > s) this.dump.problems.push(`line ${lineNo}: unexpected text inside the dump`);
        this.log(b, start, end, lineNo, byteOffset);
        return;
      }
      this.finishDump(this.lastLineEnd, null);
    }
    this.idleLine(b, start, end, s, e, lineNo, byteOffset);
  }
  /** A line while no dump is open: a dump may start here, even mid-line. */
  idleLine(b, start, end, s, e, lineNo, byteOffset) {
    if (e > s) {
      const c2 = b[s];
      if (c2 === 109 || c2 === 115 || c2 === 71 || c2 === 78) {
        const text = this.ascii(b, s, e, lineNo);
        const stage = headerStage(text);
        if (stage !== 0 /* None */) {
          this.dump = new DumpAssembler(byteOffset, "bare", null, null, null);
          this.dumpLine(b, s, e, lineNo);
          return;
        }
      } else if (isHexDigit(c2)) {
        const m = matchMapLine(b, s, e, null);
        if (m && isStrongMapLine(b, m)) {
          this.dump = new DumpAssembler(byteOffset, "bare", null, null, null);
          this.dumpLine(b, s, e, lineNo);
          return;
        }
      }
      if (e - s > 7) {
        const text = this.ascii(b, s, e, lineNo);
        for (const marker of DUMP_STARTS) {
          const i = text.indexOf(marker);
          if (i > 0 && headerStage(text.slice(i)) !== 0 /* None */) {
            const split = s + i;
            this.log(b, start, split, lineNo, byteOffset);
            const off = byteOffset + (split - start);
            this.dump = new DumpAssembler(off, "bare", null, null, null);
            this.dumpLine(b, split, e, lineNo);
            return;
          }
        }
      }
    }
    this.log(b, start, end, lineNo, byteOffset);
  }
  /** Feeds a line to the open dump; false if it is not part of it. */
  dumpLine(b, s, e, lineNo) {
    const d = this.dump;
    if (e <= s) return false;
    const c2 = b[s];
    if (isHexDigit(c2) && d.tryMapLine(b, s, e, lineNo)) return true;
    const text = this.ascii(b, s, e, lineNo);
    if (c2 === 40) {
      const m = FOLD.exec(text);
      if (!m) return false;
      d.addFold(Number(m[1]), lineNo);
      return true;
    }
    const stage = headerStage(text);
    if (stage === 0 /* None */) {
      if (d.stage !== 0 /* None */ && d.stage < 3 /* Gc */) {
        const g = GC_LINE_DAMAGED.exec(text);
        if (g) {
          d.setGc(Number(g[1]), Number(g[2]), Number(g[3]), g[4] ? Number(g[4]) : null, lineNo);
          d.problems.push(`line ${lineNo}: start of the GC line lost ("${text.slice(0, 24)}\u2026")`);
          return true;
        }
      }
      return d.tryNoisyMapLine(b, s, e, lineNo);
    }
    if (stage === 5 /* Map */) {
      d.startArea(LAYOUT.exec(text)[1], lineNo);
      return true;
    }
    if (stage <= d.stage) {
      const cut = this.frame ? "the dump was cut short (no end marker)" : null;
      this.finishDump(this.lastLineEnd, cut);
      this.dump = new DumpAssembler(this.lastLineEnd, "bare", null, null, null);
      applyHeader(this.dump, stage, text, lineNo);
      return true;
    }
    applyHeader(d, stage, text, lineNo);
    return true;
  }
  /** Handles a frame marker at b[at]; false if it is not one (then it is ordinary text). */
  marker(b, at, end, lineEnd, lineNo, byteOffset) {
    const text = asciiString(b, at, Math.min(end, at + 200)).trimEnd();
    if (text.startsWith("@@HS:")) {
      const f = text.slice(5).split(" ");
      switch (f[0]) {
        case "B": {
          if (this.dump) this.finishDump(byteOffset, this.frame ? "the dump was cut short (no end marker)" : null);
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          this.frame = { framing: "helper", seq, deviceMs: intField(f, 2), collected: f[3] === void 0 ? null : f[3] === "1", byteStart: byteOffset };
          this.dump = new DumpAssembler(byteOffset, "helper", seq, intField(f, 2), this.frame.collected);
          return true;
        }
        case "E": {
          if (this.dump) {
            if (!this.frame) {
              this.dump.problems.push(`line ${lineNo}: the dump's begin marker was lost`);
            }
            this.finishDump(lineEnd, null);
          }
          this.frame = null;
          return true;
        }
        case "S": {
          if (this.dump) this.finishDump(byteOffset, this.frame ? "the dump was cut short (no end marker)" : null);
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          const alloc = intField(f, 4);
          const free = intField(f, 5);
          const snapshot = {
            index: this.snapshots++,
            line: lineNo,
            byteStart: byteOffset,
            byteEnd: lineEnd,
            framing: "helper",
            seq,
            deviceMs: intField(f, 2),
            collected: f[3] === void 0 ? null : f[3] === "1",
            printed: null,
            blockSize: null,
            addressStyle: null,
            areas: [],
            stats: alloc !== null && free !== null ? { alloc, free } : null,
            complete: false,
            consistent: true,
            problems: alloc !== null && free !== null ? [] : [`line ${lineNo}: stats frame damaged`]
          };
          this.out.push({ type: "snapshot", snapshot });
          return true;
        }
        case "K": {
          const seq = intField(f, 1);
          this.checkSeq(seq, lineNo, byteOffset);
          this.out.push({ type: "mark", label: f.slice(3).join(" "), deviceMs: intField(f, 2), line: lineNo, byteOffset });
          return true;
        }
        case "H": {
          this.nextSeq = null;
          this.out.push({
            type: "device",
            kind: "helperStart",
            text,
            line: lineNo,
            byteOffset,
            detail: {
              protocol: intField(f, 1) ?? 0,
              periodMs: intField(f, 2) ?? 0,
              mode: f[3] ?? "",
              collect: f[4] === "1",
              implementation: f[5] ?? ""
            }
          });
          return true;
        }
        default:
          return false;
      }
    }
    if (text.startsWith("@@@")) {
      const m = /^@@@(?: (\d+))?(?: \((.*)\))?$/.exec(text);
      if (!m) return false;
      if (m[1] === void 0) {
        if (this.dump) this.finishDump(lineEnd, null);
        this.frame = null;
        return true;
      }
      if (this.dump) this.finishDump(byteOffset, this.frame && !this.clockLine ? "the dump was cut short (no end marker)" : null);
      const deviceMs = Number(m[1]);
      this.clockLine = false;
      if (m[2]) {
        const wallMs = wallClockOf(m[2]);
        const detail = { helper: "pi-mst", clock: m[2], deviceMs };
        if (wallMs !== null) {
          detail.wallMs = wallMs;
          this.clock = { deviceMs, wallMs };
        }
        this.out.push({ type: "device", kind: "helperStart", text, line: lineNo, byteOffset, detail });
        this.clockLine = true;
      }
      this.frame = { framing: "pimst", seq: null, deviceMs, collected: null, byteStart: byteOffset };
      this.dump = new DumpAssembler(byteOffset, "pimst", null, deviceMs, null);
      return true;
    }
    return false;
  }
  checkSeq(seq, lineNo, byteOffset) {
    if (seq === null) return;
    if (this.nextSeq !== null && seq > this.nextSeq) {
      const lost = seq - this.nextSeq;
      this.out.push({
        type: "device",
        kind: "frameLost",
        text: `${lost} helper frame${lost > 1 ? "s" : ""} lost before frame ${seq}`,
        line: lineNo,
        byteOffset,
        lost
      });
    }
    this.nextSeq = seq + 1;
  }
  finishDump(byteEnd, cut) {
    const d = this.dump;
    this.dump = null;
    if (cut) this.frame = null;
    const clockLine = this.clockLine;
    this.clockLine = false;
    if (d.line === 0) {
      if (clockLine) return;
      if (cut || d.framing !== "bare") {
        this.out.push({
          type: "device",
          kind: "traceback",
          text: "a heap dump frame arrived empty",
          line: 0,
          byteOffset: d.byteStart
        });
      }
      return;
    }
    const snapshot = d.finish(this.snapshots++, byteEnd, cut, this.opts.checkFigures !== false);
    this.out.push({ type: "snapshot", snapshot });
  }
  /**
   * A line longer than the splitter keeps (only its first MAX_LINE_BYTES are here): no dump
   * line is that long, so it ends an unframed dump and is logged as its start and its length.
   */
  longLine(b, start, end, cut, lineNo, byteOffset) {
    if (this.dump) {
      if (this.frame) this.dump.problems.push(`line ${lineNo}: a line of ${end - start + cut} bytes inside the dump`);
      else this.finishDump(this.lastLineEnd, null);
    }
    const text = lineText(b, start, end);
    this.out.push({ type: "log", text: `${text}\u2026 (a line of ${end - start + cut} bytes: only its first ${end - start} are shown)`, line: lineNo, byteOffset });
  }
  log(b, start, end, lineNo, byteOffset) {
    const text = isPlainAscii(b, start, end) ? this.ascii(b, start, end, lineNo) : lineText(b, start, end);
    if (text === "") {
      const run = lineNo === this.lastEmptyLine + 1;
      this.lastEmptyLine = lineNo;
      if (run) return;
    }
    this.out.push({ type: "log", text, line: lineNo, byteOffset });
    const ev = deviceEventOf(text, lineNo, byteOffset);
    if (ev) this.out.push(ev);
  }
};
function hasAt(b, start, end) {
  for (let i = start; i < end; i++) if (b[i] === AT) return true;
  return false;
}
function isHexDigit(c2) {
  return c2 >= 48 && c2 <= 57 || c2 >= 97 && c2 <= 102;
}
function headerStage(text) {
  switch (text.charCodeAt(0)) {
    case 109:
      return MEM.test(text) ? 1 /* Mem */ : 0 /* None */;
    case 115:
      return STACK.test(text) ? 2 /* Stack */ : 0 /* None */;
    case 71:
      if (GC_LINE.test(text)) return 3 /* Gc */;
      return LAYOUT.test(text) ? 5 /* Map */ : 0 /* None */;
    case 78:
      return BLOCKS_LINE.test(text) ? 4 /* Blocks */ : 0 /* None */;
    default:
      return 0 /* None */;
  }
}
function n(x) {
  return x === void 0 ? null : Number(x);
}
function intField(f, i) {
  return f[i] !== void 0 && /^-?\d+$/.test(f[i]) ? Number(f[i]) : null;
}
function applyHeader(d, stage, text, lineNo) {
  switch (stage) {
    case 1 /* Mem */: {
      const m = MEM.exec(text);
      d.setMem(Number(m[1]), Number(m[2]), Number(m[3]), lineNo);
      break;
    }
    case 2 /* Stack */: {
      const m = STACK.exec(text);
      d.setStack(Number(m[1]), n(m[2]), lineNo);
      break;
    }
    case 3 /* Gc */: {
      const m = GC_LINE.exec(text);
      d.setGc(Number(m[1]), Number(m[2]), Number(m[3]), n(m[4]), lineNo);
      break;
    }
    case 4 /* Blocks */: {
      const m = BLOCKS_LINE.exec(text);
      d.setBlocks(Number(m[1]), Number(m[2]), Number(m[3]), n(m[4]), lineNo);
      break;
    }
    default:
      break;
  }
}

// src/main/session/bytes.ts
import zlib from "node:zlib";
var ByteSink = class {
  buf;
  len = 0;
  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
  }
  reserve(n2) {
    const need = this.len + n2;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
  byte(b) {
    if (this.len === this.buf.length) this.reserve(1);
    this.buf[this.len++] = b;
  }
  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  uvar(v) {
    this.reserve(8);
    const buf = this.buf;
    while (v >= 128) {
      buf[this.len++] = v % 128 | 128;
      v = Math.floor(v / 128);
    }
    buf[this.len++] = v;
  }
  /** Signed integer as zigzag LEB128. */
  svar(v) {
    this.uvar(v < 0 ? -2 * v - 1 : 2 * v);
  }
  bytes(src, start = 0, end = src.length) {
    const n2 = end - start;
    if (this.len + n2 > this.buf.length) this.reserve(n2);
    const buf = this.buf;
    if (n2 <= 96) {
      let o = this.len;
      for (let i = start; i < end; i++) buf[o++] = src[i];
    } else {
      buf.set(src.subarray(start, end), this.len);
    }
    this.len += n2;
  }
  /** A copy of what was written, and the sink emptied. */
  take() {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
  view() {
    return this.buf.subarray(0, this.len);
  }
};
var crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : tableCrc32;
var table = null;
function tableCrc32(data, value = 0) {
  if (!table) {
    table = new Uint32Array(256);
    for (let n2 = 0; n2 < 256; n2++) {
      let c3 = n2;
      for (let k = 0; k < 8; k++) c3 = c3 & 1 ? 3988292384 ^ c3 >>> 1 : c3 >>> 1;
      table[n2] = c3 >>> 0;
    }
  }
  let c2 = (value ^ 4294967295) >>> 0;
  for (let i = 0; i < data.length; i++) c2 = table[(c2 ^ data[i]) & 255] ^ c2 >>> 8;
  return (c2 ^ 4294967295) >>> 0;
}
function concatBytes(parts) {
  let n2 = 0;
  for (const p of parts) n2 += p.length;
  const out = new Uint8Array(n2);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function copyOf(b, s = 0, e = b.length) {
  return Uint8Array.prototype.slice.call(b, s, e);
}
function plainView(b) {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
}
function windowTail(a, b, window = 32 * 1024) {
  if (b.length >= window) return copyOf(b, b.length - window);
  const keep = Math.min(a.length, window - b.length);
  const out = new Uint8Array(keep + b.length);
  out.set(a.subarray(a.length - keep), 0);
  out.set(b, keep);
  return out;
}

// src/main/session/rawCoder.ts
import zlib2 from "node:zlib";

// src/main/session/format.ts
var MAGIC = Uint8Array.from([137, 72, 83, 83, 13, 10, 26, 10]);
var FORMAT_VERSION = 3;
var MIN_READER = 3;
var CELLS_FROM = 3;
var HEADER_SIZE = 16;
var RECORD_HEADER_SIZE = 9;
var MAX_RECORD = 1 << 28;
var WINDOW = 32 * 1024;
var INDEX_DEFLATE = 0;
var INDEX_BROTLI = 1;
function encodeIndexCounts(c2) {
  const sink = new ByteSink(32);
  sink.uvar(c2.snapshots);
  sink.uvar(c2.events);
  sink.uvar(c2.p);
  sink.uvar(c2.ended ? 1 : 0);
  return encodeRecord(129 /* IndexCounts */, sink.view());
}
function encodeHeader(format = FORMAT_VERSION) {
  const h2 = new Uint8Array(HEADER_SIZE);
  h2.set(MAGIC, 0);
  const v = new DataView(h2.buffer);
  v.setUint16(8, format, true);
  v.setUint16(10, format >= CELLS_FROM ? MIN_READER : 1, true);
  v.setUint32(12, 0, true);
  return h2;
}
function encodeRecord(type, payload) {
  const out = new Uint8Array(RECORD_HEADER_SIZE + payload.length);
  const v = new DataView(out.buffer);
  out[0] = type;
  v.setUint32(1, payload.length, true);
  out.set(payload, RECORD_HEADER_SIZE);
  v.setUint32(5, recordCrc(out.subarray(0, 5), payload), true);
  return out;
}
function recordCrc(head5, payload) {
  return crc32(payload, crc32(head5)) >>> 0;
}
var utf82 = new TextEncoder();
var utf8d = new TextDecoder("utf-8", { fatal: true });
function jsonBytes(value) {
  return utf82.encode(JSON.stringify(value));
}

// src/main/session/rangeCoder.ts
var TOP = 2 ** 24;
var PROB_BITS = 16;
var ONE2 = 1 << PROB_BITS;
var LIMIT = 30;
var RATE = Int32Array.from({ length: LIMIT + 1 }, (_, n2) => Math.floor(65536 / (n2 + 2)));
var BitModels = class {
  p;
  n;
  constructor(size) {
    this.p = new Uint16Array(size).fill(ONE2 >> 1);
    this.n = new Uint8Array(size);
  }
  reset() {
    this.p.fill(ONE2 >> 1);
    this.n.fill(0);
  }
  update(i, bit) {
    const n2 = this.n[i];
    const p = this.p[i];
    const r = RATE[n2];
    let q = bit === 0 ? p + ((ONE2 - p) * r >>> 16) : p - (p * r >>> 16);
    if (q < 32) q = 32;
    else if (q > ONE2 - 32) q = ONE2 - 32;
    this.p[i] = q;
    if (n2 < LIMIT) this.n[i] = n2 + 1;
  }
};
var RangeEncoder = class {
  low = 0;
  range = 4294967295;
  cache = 0;
  cacheSize = 1;
  out = new Uint8Array(1 << 12);
  outLen = 0;
  /** Bits coded since the last finish (none: finish writes nothing). */
  coded = false;
  bit(m, i, bit) {
    this.coded = true;
    const bound = (this.range >>> PROB_BITS) * m.p[i];
    if (bit === 0) {
      this.range = bound;
    } else {
      this.low += bound;
      this.range -= bound;
    }
    m.update(i, bit);
    while (this.range < TOP) {
      this.range = this.range * 256 >>> 0;
      this.shiftLow();
    }
  }
  shiftLow() {
    if (this.low < 4278190080 || this.low >= 4294967296) {
      const carry = this.low >= 4294967296 ? 1 : 0;
      let temp = this.cache;
      do {
        if (this.outLen === this.out.length) {
          const grown = new Uint8Array(this.out.length * 2);
          grown.set(this.out);
          this.out = grown;
        }
        this.out[this.outLen++] = temp + carry & 255;
        temp = 255;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / 16777216) & 255;
    }
    this.cacheSize++;
    this.low = this.low % 16777216 * 256;
  }
  /** Ends the stream: the bytes of everything coded since the last finish (empty if nothing). */
  finish() {
    if (!this.coded) return new Uint8Array(0);
    for (let i = 0; i < 5; i++) this.shiftLow();
    const bytes = this.out.slice(1, this.outLen);
    this.outLen = 0;
    this.low = 0;
    this.range = 4294967295;
    this.cache = 0;
    this.cacheSize = 1;
    this.coded = false;
    return bytes;
  }
};

// src/main/session/heapModel.ts
var FREE2 = 46;
var TAIL2 = 61;
var CELL_SYMBOL = (() => {
  const t = new Int8Array(256).fill(-1);
  t[TAIL2] = 1;
  for (let c2 = 0; c2 < 26; c2++) {
    t[65 + c2] = 2 + c2;
    t[97 + c2] = 28 + c2;
  }
  return t;
})();
var SYMBOL_CELL = (() => {
  const t = new Uint8Array(64);
  t[1] = TAIL2;
  for (let c2 = 0; c2 < 26; c2++) {
    t[2 + c2] = 65 + c2;
    t[28 + c2] = 97 + c2;
  }
  return t;
})();
var SYMBOLS = 54;
function isCell(c2) {
  return c2 === FREE2 || CELL_SYMBOL[c2] >= 0;
}
function allCells(b, s, e) {
  for (let i = s; i < e; i++) if (b[i] !== FREE2 && CELL_SYMBOL[b[i]] < 0) return false;
  return true;
}
var lenBucket = (n2) => n2 <= 2 ? n2 : n2 <= 4 ? 3 : n2 <= 8 ? 4 : n2 <= 16 ? 5 : n2 <= 64 ? 6 : 7;
var freesBucket = (f) => f === 0 ? 0 : f < 3 ? 1 : f < 16 ? 2 : 3;
var UNARY = 16;
var EncIO = class {
  constructor(rc) {
    this.rc = rc;
  }
  rc;
  bit(m, i, value) {
    this.rc.bit(m, i, value);
    return value;
  }
};
var DecIO = class {
  constructor(rd) {
    this.rd = rd;
  }
  rd;
  bit(m, i) {
    return this.rd.bit(m, i);
  }
};
var HeapModelError = class extends Error {
};
var HeapModel = class {
  anyFree = new BitModels(2);
  gammaFrees = new BitModels(2 * 64);
  surv = new BitModels(16 * 8 * 4 * 2);
  kind = new BitModels(SYMBOLS * 8 * 64);
  len = new BitModels(SYMBOLS * 8 * (UNARY + 1));
  gammaLen = new BitModels(2 * 64);
  skip0 = new BitModels(4 * 4);
  gammaSkip = new BitModels(4 * 64);
  /** Whether the last block freed anything (the context of the next block's flag). */
  lastFreed = 0;
  reset() {
    for (const m of [this.anyFree, this.gammaFrees, this.surv, this.kind, this.len, this.gammaLen, this.skip0, this.gammaSkip]) m.reset();
    this.lastFreed = 0;
  }
  /**
   * The cells the last encode or decode changed: [start, end) pairs (frees in address order,
   * then new objects in address order), `changedCount` numbers. Callers that keep the cells
   * elsewhere copy back only these.
   */
  changed = new Int32Array(256);
  changedCount = 0;
  change(lo, hi) {
    if (this.changedCount + 2 > this.changed.length) {
      const grown = new Int32Array(this.changed.length * 2);
      grown.set(this.changed);
      this.changed = grown;
    }
    this.changed[this.changedCount++] = lo;
    this.changed[this.changedCount++] = hi;
  }
  /** Scratch cells (grown as needed: a typed array costs microseconds to allocate). */
  scratchOut = new Uint8Array(0);
  scratchFreed = new Uint8Array(0);
  /**
   * Codes `cur` (as many cells as `old`). `spans` ([start, end) pairs, in order), when given,
   * hold every cell where the two differ: the rest is not searched.
   */
  encode(rc, old, cur, spans) {
    const n2 = cur.length;
    if (this.scratchOut.length < n2) {
      this.scratchOut = new Uint8Array(n2 * 2);
      this.scratchFreed = new Uint8Array(n2 * 2);
    }
    const truth = this.truth(old, cur, spans ?? [0, n2]);
    const out = this.scratchOut.subarray(0, n2);
    this.transition(new EncIO(rc), old, out, truth);
    this.scratchFreed.fill(0, 0, n2);
    if (Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.length), Buffer.from(cur.buffer, cur.byteOffset, cur.length)) !== 0) {
      throw new Error("heap model: the cells do not code as themselves");
    }
  }
  /** Decodes cells into `cur` (as many as `old`). */
  decode(rd, old, cur) {
    this.transition(new DecIO(rd), old, cur, null);
  }
  truth(old, cur, spans) {
    const n2 = old.length;
    const freedAt = this.scratchFreed;
    const t = { freedAt, anyFreed: 0, freedCount: 0, firstFreed: -1, kinds: [], lens: [], heads: [] };
    let done = 0;
    for (let r = 0; r < spans.length; r += 2) {
      const end = spans[r + 1];
      let i = Math.max(spans[r], done);
      for (; ; ) {
        while (i < end && old[i] === cur[i]) i++;
        if (i >= end) break;
        let a = i;
        while (a > done && (old[a] === TAIL2 || cur[a] === TAIL2)) a--;
        let b = i;
        while (b < n2 && (old[b] !== cur[b] || old[b] === TAIL2)) b++;
        this.window(old, cur, a, b, t);
        done = i = b;
      }
    }
    return t;
  }
  /** The truth about [a, b): freed and surviving old objects (1, 2 at heads), new ones. */
  window(old, cur, a, b, t) {
    const n2 = old.length;
    const freedAt = t.freedAt;
    for (let i = a; i < b; ) {
      if (old[i] === FREE2) {
        i++;
        continue;
      }
      let e = i + 1;
      while (e < n2 && old[e] === TAIL2) e++;
      let same = e === n2 || cur[e] !== TAIL2;
      if (same && old[i] === TAIL2 && i > 0 && cur[i - 1] !== FREE2) same = false;
      for (let k = i; same && k < e; k++) if (cur[k] !== old[k]) same = false;
      freedAt[i] = same ? 2 : 1;
      if (!same) {
        t.anyFreed = 1;
        if (t.freedCount++ === 0) t.firstFreed = i;
      }
      i = e;
    }
    for (let i = a; i < b; ) {
      if (cur[i] === FREE2) {
        i++;
        continue;
      }
      let e = i + 1;
      while (e < n2 && cur[e] === TAIL2) e++;
      if (freedAt[i] !== 2) {
        t.kinds.push(CELL_SYMBOL[cur[i]]);
        t.lens.push(e - i);
        t.heads.push(i);
      }
      i = e;
    }
  }
  transition(io, old, cur, truth) {
    const n2 = old.length;
    cur.set(old);
    this.changedCount = 0;
    const any = io.bit(this.anyFree, this.lastFreed, truth ? truth.anyFreed : 0);
    this.lastFreed = any;
    if (any === 1) {
      const count = 1 + this.gamma(io, this.gammaFrees, 0, truth ? truth.freedCount - 1 : 0);
      const first = this.gamma(io, this.gammaFrees, 64, truth ? truth.firstFreed : 0);
      if (first >= n2 || old[first] === FREE2 || old[first] === TAIL2 && first > 0 && old[first - 1] !== FREE2) {
        throw new HeapModelError("a freed object where none starts");
      }
      let frees = 0;
      let prevFreed = 1;
      for (let i = first; i < n2 && frees < count; ) {
        if (old[i] === FREE2) {
          i++;
          continue;
        }
        let e = i + 1;
        while (e < n2 && old[e] === TAIL2) e++;
        let f = 1;
        if (i !== first) {
          const kind = CELL_SYMBOL[old[i]] & 15;
          const ctx = ((kind * 8 + lenBucket(e - i)) * 4 + freesBucket(frees)) * 2 + prevFreed;
          f = io.bit(this.surv, ctx, truth ? truth.freedAt[i] & 1 : 0);
        }
        if (f === 1) {
          for (let c2 = i; c2 < e; c2++) cur[c2] = FREE2;
          this.change(i, e);
          frees++;
        }
        prevFreed = f;
        i = e;
      }
      if (frees < count) throw new HeapModelError("more frees than objects");
    }
    let pos = 0;
    let prevKind = 0;
    let prevLen = 0;
    let prevSkip = 0;
    for (let k = 0; ; k++) {
      const kind = this.symbol(io, prevKind * 8 + lenBucket(prevLen), truth ? k < truth.kinds.length ? truth.kinds[k] : 0 : 0);
      if (kind === 0) break;
      const len = this.length(io, kind, prevLen, truth ? truth.lens[k] : 0);
      const sctx = (k === 0 ? 0 : prevSkip === 0 ? 1 : 2) * 4 + (len === 1 ? 0 : len <= 4 ? 1 : 2);
      const skip = this.count(io, this.skip0, sctx, this.gammaSkip, (k === 0 ? 0 : 1) * 64, truth ? countFits(cur, pos, truth.heads[k], len) : 0);
      const head = truth ? truth.heads[k] : nthFit(cur, pos, len, skip);
      if (head < 0) throw new HeapModelError("an object placed past the end of its map");
      cur[head] = SYMBOL_CELL[kind];
      for (let c2 = head + 1; c2 < head + len; c2++) cur[c2] = TAIL2;
      this.change(head, head + len);
      pos = head + len;
      prevKind = kind;
      prevLen = len;
      prevSkip = skip;
    }
  }
  /** A kind symbol (0–63) as 6 binary decisions down a tree, in context. */
  symbol(io, ctx, value) {
    const base = ctx * 64;
    let node = 1;
    for (let b = 5; b >= 0; b--) {
      const bit = io.bit(this.kind, base + node, value >> b & 1);
      node = node * 2 + bit;
    }
    const sym = node - 64;
    if (sym >= SYMBOLS) throw new HeapModelError("a map cell of unknown kind");
    return sym;
  }
  /** An object length ≥ 1: unary up to UNARY in context of its kind, then a gamma code. */
  length(io, kind, prevLen, value) {
    const base = (kind * 8 + lenBucket(prevLen)) * (UNARY + 1);
    let len = 1;
    while (len <= UNARY) {
      if (io.bit(this.len, base + len, value > len ? 1 : 0) === 0) return len;
      len++;
    }
    return UNARY + 1 + this.gamma(io, this.gammaLen, 0, value - UNARY - 1);
  }
  /** A count ≥ 0: a zero flag in context, then a gamma code of count - 1. */
  count(io, zero, zctx, g, gbase, value) {
    if (io.bit(zero, zctx, value === 0 ? 0 : 1) === 0) return 0;
    return 1 + this.gamma(io, g, gbase, value - 1);
  }
  /** Elias gamma of value ≥ 0 (of value + 1), with adaptive bits by position. */
  gamma(io, m, base, value) {
    const v = value + 1;
    let nb = 0;
    if (v > 0) while (v >= 2 ** (nb + 1)) nb++;
    let bits = 0;
    while (io.bit(m, base + Math.min(bits, 31), bits < nb ? 1 : 0) === 1) {
      bits++;
      if (bits > 40) throw new HeapModelError("a count too large");
    }
    let r = 1;
    for (let b = bits - 1; b >= 0; b--) r = r * 2 + io.bit(m, base + 32 + Math.min(b, 31), Math.floor(v / 2 ** b) % 2);
    return r - 1;
  }
};
function countFits(cur, from, to, len) {
  let k = 0;
  let i = from;
  const n2 = Math.min(cur.length, to + len);
  while (i < to) {
    if (cur[i] !== FREE2) {
      i = cur.indexOf(FREE2, i + 1);
      if (i < 0) break;
      continue;
    }
    let e = i + 1;
    while (e < n2 && cur[e] === FREE2) e++;
    const last = Math.min(e - len, to - 1);
    if (last >= i) k += last - i + 1;
    i = e;
  }
  return k;
}
function nthFit(cur, from, len, skip) {
  let i = from;
  const n2 = cur.length;
  while (i < n2) {
    if (cur[i] !== FREE2) {
      i = cur.indexOf(FREE2, i + 1);
      if (i < 0) break;
      continue;
    }
    const stop2 = Math.min(n2, i + skip + len);
    let e = i + 1;
    while (e < stop2 && cur[e] === FREE2) e++;
    const fits = e - len - i + 1;
    if (fits > 0) {
      if (skip < fits) return i + skip;
      skip -= fits;
    }
    i = e;
  }
  return -1;
}

// src/main/session/lineDelta.ts
var CR2 = 13;
var FREE3 = 46;
var LF2 = 10;
var MAX_CARRY = 1 << 16;
var MAX_KEYED = 512;
var MAX_SHAPED = 512;
var MAX_DIGITS = 15;
var LAYOUT2 = Array.from("GC memory layout; from ", (c2) => c2.charCodeAt(0));
var HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c2 = 0; c2 < 10; c2++) t[48 + c2] = c2;
  for (let c2 = 0; c2 < 6; c2++) {
    t[97 + c2] = 10 + c2;
    t[65 + c2] = 10 + c2;
  }
  return t;
})();
var MAPC = (() => {
  const t = new Uint8Array(256);
  t[46] = 1;
  t[61] = 1;
  for (let c2 = 65; c2 <= 90; c2++) t[c2] = 1;
  for (let c2 = 97; c2 <= 122; c2++) t[c2] = 1;
  return t;
})();
var JUNK = (() => {
  const t = new Uint8Array(256);
  for (const c2 of [32, 9, 39, 34, 91]) t[c2] = 1;
  return t;
})();
var KEY_NONE = -1;
var KEY_LAYOUT = -2;
var Tables = class {
  slots = [];
  /** Per slot, where its cells start and end (cellRange), -1 none, -2 not known yet. */
  cellFrom = [];
  cellTo = [];
  /** Per heap area: map line address → slot. */
  areaSlots = [/* @__PURE__ */ new Map()];
  pools = /* @__PURE__ */ new Map();
  pool = 0;
  /** The current area's map (areaSlots[pool]). */
  keyToSlot = this.areaSlots[0];
  lastSlot = -1;
  /**
   * Per slot, the decoder's MAP op that wrote its line last (a stamp; 0: its line changed
   * otherwise since): an op whose lines all still carry its stamp can reuse its cells.
   */
  owner = [];
  shapes = [];
  shapeIds = /* @__PURE__ */ new Map();
  lastShape = -1;
  // The shape of the line last scanned.
  tpl = new Uint8Array(MAX_SHAPED);
  tplLen = 0;
  cuts = new Int32Array(MAX_SHAPED);
  nums = new Float64Array(MAX_SHAPED);
  numCount = 0;
  hash = 0;
  reset() {
    this.owner = [];
    this.slots = [];
    this.cellFrom = [];
    this.cellTo = [];
    this.areaSlots = [/* @__PURE__ */ new Map()];
    this.keyToSlot = this.areaSlots[0];
    this.pools = /* @__PURE__ */ new Map();
    this.pool = 0;
    this.lastSlot = -1;
    this.shapes = [];
    this.shapeIds = /* @__PURE__ */ new Map();
    this.lastShape = -1;
  }
  /**
   * The key of a map line (≥ 0: its address; the area is the current one), KEY_LAYOUT after
   * switching area, or KEY_NONE.
   */
  classify(b, s, e) {
    if (e - s > MAX_KEYED) return KEY_NONE;
    let i = s;
    while (i < e && JUNK[b[i]] === 1) i++;
    if (b[i] === 71) return this.layout(b, i, e);
    let addr = 0;
    const h0 = i;
    while (i < e && i - h0 < 8) {
      const h2 = HEX[b[i]];
      if (h2 < 0) break;
      addr = addr * 16 + h2;
      i++;
    }
    if (i - h0 < 3) return KEY_NONE;
    const sep = b[i];
    if (sep === 58) {
      i++;
      if (b[i] === 32) i++;
    } else if (sep === 32) {
      i++;
    } else {
      return KEY_NONE;
    }
    if (i >= e || MAPC[b[i]] !== 1) return KEY_NONE;
    return addr;
  }
  layout(b, i, e) {
    if (e - i < LAYOUT2.length + 2) return KEY_NONE;
    for (let k = 0; k < LAYOUT2.length; k++) if (b[i + k] !== LAYOUT2[k]) return KEY_NONE;
    let j = i + LAYOUT2.length;
    let name = "";
    while (j < e && (HEX[b[j]] >= 0 || b[j] === 120 || b[j] === 88)) name += String.fromCharCode(b[j++]);
    if (name === "") return KEY_NONE;
    let id = this.pools.get(name);
    if (id === void 0) {
      id = this.areaSlots.length;
      this.pools.set(name, id);
      this.areaSlots.push(/* @__PURE__ */ new Map());
    }
    this.pool = id;
    this.keyToSlot = this.areaSlots[id];
    return KEY_LAYOUT;
  }
  /** A slot's line changed other than in its cells (a patch). */
  touched(slot) {
    this.owner[slot] = 0;
    this.cellFrom[slot] = -2;
  }
  /** Where the slot's cells start (its end: cellEnd), or -1 when it has none. */
  cellStart(slot) {
    const c2 = this.cellFrom[slot];
    if (c2 !== void 0 && c2 !== -2) return c2;
    const line = this.slots[slot];
    const r = cellRange(line, 0, line.length);
    this.cellFrom[slot] = r === null ? -1 : r[0];
    this.cellTo[slot] = r === null ? -1 : r[1];
    return this.cellFrom[slot];
  }
  cellEnd(slot) {
    return this.cellTo[slot];
  }
  slotOf(key) {
    return this.keyToSlot.get(key);
  }
  /** A whole literal line with this key: it becomes the key's reference line. */
  store(key, line) {
    let s = this.keyToSlot.get(key);
    if (s === void 0) {
      s = this.slots.length;
      this.slots.push(line);
      this.owner.push(0);
      this.keyToSlot.set(key, s);
    } else {
      this.slots[s] = line;
      this.owner[s] = 0;
      this.cellFrom[s] = -2;
    }
    this.lastSlot = s;
  }
  /**
   * Scans a line for its shape: the text with every canonical decimal number (1–15 digits,
   * no leading zero) taken out, into tpl/cuts/nums. False when it has no such number.
   */
  scanShape(b, s, e) {
    if (e - s > MAX_SHAPED) return false;
    const tpl = this.tpl;
    let h2 = 2166136261;
    let tl = 0;
    let n2 = 0;
    let i = s;
    while (i < e) {
      const c2 = b[i];
      if (c2 >= 48 && c2 <= 57) {
        let j = i + 1;
        let v = c2 - 48;
        while (j < e && b[j] >= 48 && b[j] <= 57) {
          v = v * 10 + (b[j] - 48);
          j++;
        }
        if (j - i <= MAX_DIGITS && (c2 !== 48 || j - i === 1)) {
          this.cuts[n2] = tl;
          this.nums[n2] = v;
          n2++;
          h2 = Math.imul(h2 ^ 256, 16777619);
        } else {
          for (let k = i; k < j; k++) {
            tpl[tl++] = b[k];
            h2 = Math.imul(h2 ^ b[k], 16777619);
          }
        }
        i = j;
        continue;
      }
      tpl[tl++] = c2;
      h2 = Math.imul(h2 ^ c2, 16777619);
      i++;
    }
    this.tplLen = tl;
    this.numCount = n2;
    this.hash = h2 ^ n2 << 20 ^ tl | 0;
    return n2 > 0;
  }
  /** The known shape equal to the one last scanned, or -1. */
  findShape() {
    const id = this.shapeIds.get(this.hash);
    if (id === void 0) return -1;
    const sh = this.shapes[id];
    const n2 = this.numCount;
    const tl = this.tplLen;
    if (sh.nums.length !== n2 || sh.tpl.length !== tl) return -1;
    for (let k = 0; k < n2; k++) if (sh.cuts[k] !== this.cuts[k]) return -1;
    const tpl = this.tpl;
    for (let k = 0; k < tl; k++) if (sh.tpl[k] !== tpl[k]) return -1;
    return id;
  }
  /** The shape last scanned, from a literal line: it becomes the shape's reference. */
  storeShape() {
    const n2 = this.numCount;
    let id = this.findShape();
    if (id === -1) {
      id = this.shapes.length;
      this.shapes.push({ tpl: this.tpl.slice(0, this.tplLen), cuts: this.cuts.slice(0, n2), nums: this.nums.slice(0, n2) });
      this.shapeIds.set(this.hash, id);
    } else {
      this.shapes[id].nums.set(this.nums.subarray(0, n2));
    }
    this.lastShape = id;
  }
};
function cellRange(b, s, e) {
  let i = s;
  while (i < e && JUNK[b[i]] === 1) i++;
  const h0 = i;
  while (i < e && i - h0 < 8 && HEX[b[i]] >= 0) i++;
  if (i - h0 < 3) return null;
  if (b[i] === 58) {
    i++;
    if (b[i] === 32) i++;
  } else if (b[i] === 32) {
    i++;
  } else {
    return null;
  }
  let end = e;
  if (end > s && b[end - 1] === LF2) end--;
  if (end > s && b[end - 1] === CR2) end--;
  if (i >= end || !allCells(b, i, end)) return null;
  return [i - s, end - s];
}
var LineDeltaEncoder = class {
  t = new Tables();
  out = new ByteSink(1 << 16);
  /** Start of a line held back until its terminator arrives. */
  carry = new Uint8Array(1024);
  carryLen = 0;
  /** What was coded last did not end a line: what follows up to LF is a fragment. */
  midLine = false;
  runs = new Int32Array(MAX_KEYED + 2);
  /** NEXT ops not written yet (written as one RUN). */
  nexts = 0;
  /** Whole literal lines not written yet (written as one LINE op). */
  lits = new ByteSink(1 << 12);
  /** Raw bytes pushed so far. */
  pushed = 0;
  cells;
  model = new HeapModel();
  rc = new RangeEncoder();
  /** The map lines held back to be coded as one MAP op: slots, cell ranges, old and new cells. */
  blockSlots = [];
  /** Per line of the block: null, or (a line new to its slot) its text before and after its cells. */
  blockNew = [];
  /** The block's changed lines, as [start, end) of cells in the block (the model looks only there). */
  blockSpans = [];
  /** The new cells of the block's changed lines, one span after the other. */
  blockCur = new ByteSink(1 << 12);
  /** The block's new cells: its old ones with the changed lines' put in. */
  cur = new Uint8Array(1 << 14);
  blockRanges = [];
  blockOld = new ByteSink(1 << 14);
  /** lastSlot before the block's first line (its slot deltas count from there). */
  blockFrom = -1;
  /** Per slot, the block it was last put in (a slot appears once per block). */
  slotBlock = new Int32Array(1024);
  blockId = 1;
  /** DataViews toBlock reads words through: of the line's bytes, of each slot's line, of blockOld. */
  lineBytes = null;
  lineView = new DataView(new ArrayBuffer(0));
  refLines = [];
  refViews = [];
  blockBuf = null;
  blockView = new DataView(new ArrayBuffer(0));
  constructor(options = {}) {
    this.cells = options.cells ?? false;
  }
  /** Stream offset of the first byte not coded yet (the start of the held partial line). */
  get codedEnd() {
    return this.pushed - this.carryLen;
  }
  /** Takes raw bytes; complete lines are coded now, a partial last line is held back. */
  push(bytes) {
    const chunk = plainView(bytes);
    const n2 = chunk.length;
    this.pushed += n2;
    let pos = 0;
    while (pos < n2) {
      const lf = chunk.indexOf(LF2, pos);
      const end = lf === -1 ? n2 : lf + 1;
      if (this.carryLen > 0 || lf === -1) {
        if (this.carryLen + (end - pos) > MAX_CARRY) {
          this.flushPartial();
          this.frag(chunk, pos, end);
          this.midLine = lf === -1;
          pos = end;
          continue;
        }
        this.hold(chunk, pos, end);
        pos = end;
        if (lf === -1) return;
        const len = this.carryLen;
        this.carryLen = 0;
        if (this.midLine) this.frag(this.carry, 0, len);
        else this.line(this.carry, 0, len);
      } else {
        if (this.midLine) this.frag(chunk, pos, end);
        else this.line(chunk, pos, end);
        pos = end;
      }
      this.midLine = false;
    }
  }
  /** Lets go of a held partial line as a fragment: everything pushed is now in the output. */
  flushPartial() {
    if (this.carryLen === 0) return;
    this.frag(this.carry, 0, this.carryLen);
    this.carryLen = 0;
    this.midLine = true;
  }
  /**
   * Codes the held bytes before stream offset `at` (codedEnd ≤ at ≤ pushed) as a fragment, so
   * that everything before `at` is in the output and nothing after it.
   */
  splitAt(at) {
    const k = at - this.codedEnd;
    if (k < 0 || at > this.pushed) throw new RangeError(`cannot split at ${at}: bytes from ${this.codedEnd} to ${this.pushed} are held`);
    if (k === 0) return;
    this.frag(this.carry, 0, k);
    this.carry.copyWithin(0, k, this.carryLen);
    this.carryLen -= k;
    this.midLine = true;
  }
  /** Starts afresh (a new segment): empty tables. Call after taking the old segment's output. */
  clearTables() {
    this.emitPending();
    this.t.reset();
    this.model.reset();
    this.slotBlock.fill(0);
    this.refLines = [];
    this.refViews = [];
  }
  /** The transformed bytes produced since the last take (then call takeCells, with cells on). */
  take() {
    this.emitPending();
    return this.out.take();
  }
  /**
   * The cell stream of the MAP ops taken by the last take(): a range-coded stream, ended here,
   * so a record holding both decodes on its own (given the records of its segment before it).
   */
  takeCells() {
    this.emitPending();
    return this.rc.finish();
  }
  /** Bytes of output waiting to be taken (roughly). */
  get pending() {
    return this.out.len + this.lits.len + (this.blockOld.len >> 2);
  }
  /** Writes the NEXT ops, literal lines or map lines held back to be written as one op. */
  emitPending() {
    this.emitBlock();
    const n2 = this.nexts;
    if (n2 !== 0) {
      this.nexts = 0;
      if (n2 === 1) {
        this.out.byte(0 /* Next */);
      } else {
        this.out.byte(6 /* Run */);
        this.out.uvar(n2);
      }
    }
    const lits = this.lits;
    if (lits.len !== 0) {
      this.out.byte(3 /* Line */);
      this.out.uvar(lits.len);
      this.out.bytes(lits.buf, 0, lits.len);
      lits.len = 0;
    }
  }
  hold(src, from, to) {
    const len = to - from;
    if (this.carryLen + len > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < this.carryLen + len) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen += len;
  }
  frag(b, s, e) {
    if (e <= s) return;
    this.emitPending();
    const o = this.out;
    o.byte(4 /* Frag */);
    o.uvar(e - s);
    o.bytes(b, s, e);
  }
  /** A whole literal line: joins the run of literal lines written as one LINE op. */
  literal(b, s, e) {
    if (this.nexts !== 0 || this.blockSlots.length !== 0) this.emitPending();
    this.lits.bytes(b, s, e);
    if (this.lits.len >= MAX_CARRY) this.emitPending();
  }
  /** A whole line, terminator included. */
  line(b, s, e) {
    const t = this.t;
    const key = t.classify(b, s, e);
    if (key === KEY_NONE) {
      this.shaped(b, s, e);
      return;
    }
    if (key === KEY_LAYOUT) {
      this.literal(b, s, e);
      return;
    }
    const slot = t.slotOf(key);
    const len = e - s;
    if (slot === void 0 || t.slots[slot].length !== len) {
      const inBlock = slot !== void 0 && slot < this.slotBlock.length && this.slotBlock[slot] === this.blockId;
      if (!(this.cells && !inBlock && this.newToBlock(key, b, s, e))) {
        this.literal(b, s, e);
        t.store(key, copyOf(b, s, e));
      }
      return;
    }
    const ref = t.slots[slot];
    if (this.cells && (slot >= this.slotBlock.length || this.slotBlock[slot] !== this.blockId) && this.toBlock(slot, ref, b, s)) return;
    let i = 0;
    while (i < len && ref[i] === b[s + i]) i++;
    const o = this.out;
    const delta = slot - (t.lastSlot + 1);
    t.lastSlot = slot;
    if (i === len) {
      if (delta === 0) {
        if (this.lits.len !== 0 || this.blockSlots.length !== 0) this.emitPending();
        this.nexts++;
      } else {
        this.emitPending();
        o.byte(1 /* Same */);
        o.svar(delta);
      }
      return;
    }
    const runs = this.runs;
    let nr = 0;
    while (i < len) {
      let last = i;
      let j = i + 1;
      while (j < len && j - last <= 3) {
        if (ref[j] !== b[s + j]) last = j;
        j++;
      }
      runs[nr++] = i;
      runs[nr++] = last + 1;
      i = last + 1;
      while (i < len && ref[i] === b[s + i]) i++;
    }
    this.emitPending();
    o.byte(2 /* Patch */);
    o.svar(delta);
    o.uvar(nr >> 1);
    let prevEnd = 0;
    for (let r = 0; r < nr; r += 2) {
      const from = runs[r];
      const to = runs[r + 1];
      o.uvar(from - prevEnd);
      o.uvar(to - from);
      o.bytes(b, s + from, s + to);
      for (let k = from; k < to; k++) ref[k] = b[s + k];
      t.touched(slot);
      prevEnd = to;
    }
  }
  /**
   * A map line whose slot holds a line of the same length that differs from it at most in its
   * cells: held in the block of map lines coded as one MAP op. False when it does not qualify.
   */
  toBlock(slot, ref, b, s) {
    const cs = this.t.cellStart(slot);
    if (cs < 0) return false;
    const ce = this.t.cellEnd(slot);
    const len = ref.length;
    const n2 = ce - cs;
    const old = this.blockOld;
    old.reserve(n2);
    const ob = old.buf;
    const o0 = old.len;
    const d = o0 - cs;
    if (b !== this.lineBytes) {
      this.lineBytes = b;
      this.lineView = new DataView(b.buffer, b.byteOffset, b.length);
    }
    const bv = this.lineView;
    let rv = this.refViews[slot];
    if (this.refLines[slot] !== ref) {
      rv = this.refViews[slot] = new DataView(ref.buffer, ref.byteOffset, ref.length);
      this.refLines[slot] = ref;
    }
    if (ob !== this.blockBuf) {
      this.blockBuf = ob;
      this.blockView = new DataView(ob.buffer, ob.byteOffset, ob.length);
    }
    const ov = this.blockView;
    let k = cs;
    for (; k + 4 <= ce; k += 4) {
      const r = rv.getInt32(k, true);
      ov.setInt32(d + k, r, true);
      if (r !== bv.getInt32(s + k, true)) break;
    }
    for (; k < ce; k++) {
      const r = ref[k];
      ob[d + k] = r;
      if (r !== b[s + k]) break;
    }
    for (let j = 0; j < cs; j++) if (ref[j] !== b[s + j]) return false;
    for (let j = ce; j < len; j++) if (ref[j] !== b[s + j]) return false;
    if (k < ce) {
      for (let j = k; j < ce; j++) {
        const x = b[s + j];
        if (x !== ref[j] && !isCell(x)) return false;
      }
      for (let j = k; j < ce; j++) {
        ob[d + j] = ref[j];
        ref[j] = b[s + j];
      }
      this.blockCur.bytes(ref, cs, ce);
      this.blockSpans.push(o0, o0 + n2);
    }
    old.len = o0 + n2;
    return this.joinBlock(slot, cs, ce);
  }
  /**
   * A map line with no slot of its length: held in the block with its text around the cells,
   * its old cells all free. It becomes its key's slot line now (the decoder does so where the
   * MAP op lists it).
   */
  newToBlock(key, b, s, e) {
    const r = cellRange(b, s, e);
    if (r === null) return false;
    const [cs, ce] = r;
    const n2 = ce - cs;
    if (this.blockSlots.length === 0) {
      this.emitPending();
      this.blockFrom = this.t.lastSlot;
    }
    const old = this.blockOld;
    old.reserve(n2);
    old.buf.fill(FREE3, old.len, old.len + n2);
    this.blockSpans.push(old.len, old.len + n2);
    old.len += n2;
    this.blockCur.bytes(b, s + cs, s + ce);
    this.t.store(key, copyOf(b, s, e));
    const slot = this.t.lastSlot;
    this.blockNew.push([copyOf(b, s, s + cs), n2, copyOf(b, s + ce, e)]);
    this.addToBlock(slot, cs, ce);
    return true;
  }
  /** A line whose cells were just put in the block joins it. */
  joinBlock(slot, cs, ce) {
    if (this.blockSlots.length === 0) {
      this.emitPending();
      this.blockFrom = this.t.lastSlot;
    }
    this.blockNew.push(null);
    this.addToBlock(slot, cs, ce);
    return true;
  }
  addToBlock(slot, cs, ce) {
    this.blockSlots.push(slot);
    this.blockRanges.push(cs, ce);
    if (slot >= this.slotBlock.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.slotBlock.length * 2));
      grown.set(this.slotBlock);
      this.slotBlock = grown;
    }
    this.slotBlock[slot] = this.blockId;
    this.t.lastSlot = slot;
  }
  /** Writes the held map lines as one MAP op, their cells into the cell stream. */
  emitBlock() {
    const slots = this.blockSlots;
    if (slots.length === 0) return;
    const o = this.out;
    const fresh = this.blockNew;
    const joins = (k) => fresh[k] === null && fresh[k - 1] === null && slots[k] === slots[k - 1] + 1;
    let groups = 1;
    for (let k = 1; k < slots.length; k++) if (!joins(k)) groups++;
    o.byte(7 /* Map */);
    o.uvar(groups);
    let last = this.blockFrom;
    for (let k = 0; k < slots.length; ) {
      const f = fresh[k];
      if (f !== null) {
        o.uvar(1);
        o.uvar(f[0].length);
        o.bytes(f[0]);
        o.uvar(f[1]);
        o.uvar(f[2].length);
        o.bytes(f[2]);
        last = slots[k];
        k++;
        continue;
      }
      let j = k + 1;
      while (j < slots.length && joins(j)) j++;
      o.uvar((j - k) * 2);
      o.svar(slots[k] - (last + 1));
      last = slots[j - 1];
      k = j;
    }
    const old = this.blockOld.view();
    if (this.cur.length < old.length) this.cur = new Uint8Array(old.length * 2);
    const cur = this.cur.subarray(0, old.length);
    cur.set(old);
    const spans = this.blockSpans;
    for (let k = 0, at = 0; k < spans.length; k += 2) {
      const n2 = spans[k + 1] - spans[k];
      cur.set(this.blockCur.buf.subarray(at, at + n2), spans[k]);
      at += n2;
    }
    this.model.encode(this.rc, old, cur, spans);
    this.blockSlots = [];
    this.blockNew = [];
    this.blockSpans = [];
    this.blockRanges = [];
    this.blockOld.len = 0;
    this.blockCur.len = 0;
    this.blockId++;
  }
  /** A whole line that is not a map line: NUMS against its shape, or a literal. */
  shaped(b, s, e) {
    const t = this.t;
    if (!t.scanShape(b, s, e)) {
      this.literal(b, s, e);
      return;
    }
    const id = t.findShape();
    if (id === -1) {
      this.literal(b, s, e);
      t.storeShape();
      return;
    }
    this.emitPending();
    const o = this.out;
    o.byte(5 /* Nums */);
    o.svar(id - (t.lastShape + 1));
    const prev = t.shapes[id].nums;
    const nums = t.nums;
    for (let k = 0; k < prev.length; k++) {
      o.svar(nums[k] - prev[k]);
      prev[k] = nums[k];
    }
    t.lastShape = id;
  }
};

// src/main/session/rawCoder.ts
var FLUSH_OPS = 1 << 20;
var RawCoder = class {
  constructor(options) {
    this.options = options;
    this.enc = new LineDeltaEncoder({ cells: options.format >= CELLS_FROM });
  }
  options;
  enc;
  /** Last 32 KiB of this segment's ops: the next record's deflate dictionary. */
  opTail = new Uint8Array(0);
  /** Raw offset where the ops not yet in a record begin. */
  recordRawStart = 0;
  /** Stream offset of the first byte not coded yet (a partial line is held back). */
  get codedEnd() {
    return this.enc.codedEnd;
  }
  push(bytes) {
    this.enc.push(bytes);
  }
  splitAt(at) {
    this.enc.splitAt(at);
  }
  flushPartial() {
    this.enc.flushPartial();
  }
  /** A new segment: fresh tables and dictionary. Take its last record first. */
  clearTables() {
    this.enc.clearTables();
    this.opTail = new Uint8Array(0);
  }
  /**
   * The ops coded since the last record, as a RAW record (null if none): always when `force`,
   * else only once they reach FLUSH_OPS.
   */
  take(lastHostMs, force) {
    if (!force && this.enc.pending < FLUSH_OPS) return null;
    const rawStart = this.recordRawStart;
    const rawEnd = this.enc.codedEnd;
    if (rawEnd === rawStart) return null;
    const ops = this.enc.take();
    const cells = this.enc.takeCells();
    const opts = { level: this.options.level, memLevel: 9 };
    if (this.opTail.length) opts.dictionary = this.opTail;
    const packed = zlib2.deflateRawSync(ops, opts);
    this.opTail = windowTail(this.opTail, ops);
    const head = new ByteSink(48);
    head.uvar(rawStart);
    head.uvar(rawEnd - rawStart);
    head.uvar(ops.length);
    head.uvar(lastHostMs === null ? 0 : lastHostMs + 1);
    if (this.options.format >= CELLS_FROM) head.uvar(cells.length);
    this.recordRawStart = rawEnd;
    return { bytes: encodeRecord(3 /* Raw */, concatBytes([head.view(), cells, packed])), rawEnd };
  }
};
var LF3 = 10;
var CodedEndMirror = class {
  pushed = 0;
  carry = 0;
  get codedEnd() {
    return this.pushed - this.carry;
  }
  push(bytes) {
    const n2 = bytes.length;
    this.pushed += n2;
    const lf = bytes.lastIndexOf(LF3);
    if (lf !== -1) this.carry = 0;
    const rest = n2 - (lf + 1);
    if (rest === 0) return;
    this.carry = this.carry + rest > MAX_CARRY ? 0 : this.carry + rest;
  }
  flushPartial() {
    this.carry = 0;
  }
  splitAt(at) {
    const k = at - this.codedEnd;
    if (k < 0 || at > this.pushed) throw new RangeError(`cannot split at ${at}: bytes from ${this.codedEnd} to ${this.pushed} are held`);
    this.carry -= k;
  }
};

// src/main/session/rawCoderClient.ts
import { Worker } from "node:worker_threads";
var RawCoderClient = class {
  /** `settled` runs whenever a ticket's records arrive (the writer writes what it can). */
  constructor(entry, options, settled) {
    this.settled = settled;
    this.worker = new Worker(entry, { workerData: options });
    this.worker.on("message", (r) => this.onReply(r));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => {
      if (this.waiting.size > 0) this.fail(new Error(`the raw coder worker stopped (exit code ${code}) with records owed`));
    });
  }
  settled;
  worker;
  mirror = new CodedEndMirror();
  cmds = [];
  nextId = 1;
  waiting = /* @__PURE__ */ new Map();
  waiters = [];
  /** The first failure (the worker's, or its exit): every later call throws it. */
  error = null;
  get codedEnd() {
    return this.mirror.codedEnd;
  }
  /** Tickets not given back yet. */
  get owed() {
    return this.waiting.size;
  }
  push(bytes) {
    this.mirror.push(bytes);
    this.cmds.push({ c: "push", bytes: Uint8Array.prototype.slice.call(bytes) });
  }
  splitAt(at) {
    this.mirror.splitAt(at);
    this.cmds.push({ c: "split", at });
  }
  flushPartial() {
    this.mirror.flushPartial();
    this.cmds.push({ c: "flush" });
  }
  clearTables() {
    this.cmds.push({ c: "clear" });
  }
  /** The records of a take (RawCoder.take) and any before it, as a ticket; the commands go now. */
  take(hostMs, force) {
    const id = this.nextId++;
    this.cmds.push({ c: "take", hostMs, force }, { c: "reply", id });
    const t = { records: null };
    this.waiting.set(id, t);
    const cmds = this.cmds;
    this.cmds = [];
    const transfer = [];
    for (const m of cmds) if (m.c === "push") transfer.push(m.bytes.buffer);
    this.worker.postMessage(cmds, transfer);
    return t;
  }
  /** Resolves once at most `limit` tickets are owed (0: all given back); rejects on failure. */
  until(limit) {
    if (this.error) return Promise.reject(this.error);
    if (this.waiting.size <= limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve })).then(() => {
      if (this.error) throw this.error;
    });
  }
  stop() {
    void this.worker.terminate();
  }
  onReply(r) {
    const t = this.waiting.get(r.id);
    if (!t) return;
    if ("error" in r) {
      this.fail(new Error(`the raw coder failed: ${r.error}`));
      return;
    }
    this.waiting.delete(r.id);
    t.records = r.records;
    this.settled();
    this.wake();
  }
  fail(err) {
    if (this.error) return;
    this.error = err;
    this.settled();
    this.wake();
  }
  wake() {
    const n2 = this.waiting.size;
    const still = [];
    for (const w of this.waiters) {
      if (this.error || n2 <= w.limit) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
};

// src/main/session/indexCodec.ts
var FRAMINGS = ["helper", "pimst", "bare"];
var STYLES = ["index4", "abs5", "off5", "off8"];
var SNAPSHOT_NUMBERS = [
  "seq",
  "deviceMs",
  "printed.total",
  "printed.used",
  "printed.free",
  "printed.maxNewSplit",
  "printed.oneBlocks",
  "printed.twoBlocks",
  "printed.maxBlockSize",
  "printed.maxFreeSize",
  "printed.stackUsed",
  "printed.stackLimit",
  "printed.mem.total",
  "printed.mem.current",
  "printed.mem.peak",
  "blockSize",
  "stats.alloc",
  "stats.free",
  "metrics.blocks",
  "metrics.unknownBlocks",
  "metrics.freeBlocks",
  "metrics.headBlocks",
  "metrics.tailBlocks",
  "metrics.largestFreeRun",
  "metrics.freeRuns",
  "metrics.oneBlockAllocs",
  "metrics.twoBlockAllocs",
  "metrics.largestAlloc"
];
var N = SNAPSHOT_NUMBERS.length;
var F_COMPLETE = 1;
var F_CONSISTENT = 2;
var F_PRINTED = 4;
var F_STATS = 8;
var F_COLLECTED_KNOWN = 16;
var F_COLLECTED = 32;
function numbersOf(s, m) {
  const p = s.printed;
  const mapped = s.areas.length > 0;
  return [
    s.seq,
    s.deviceMs,
    p?.total ?? null,
    p?.used ?? null,
    p?.free ?? null,
    p?.maxNewSplit ?? null,
    p?.oneBlocks ?? null,
    p?.twoBlocks ?? null,
    p?.maxBlockSize ?? null,
    p?.maxFreeSize ?? null,
    p?.stackUsed ?? null,
    p?.stackLimit ?? null,
    p?.mem?.total ?? null,
    p?.mem?.current ?? null,
    p?.mem?.peak ?? null,
    s.blockSize,
    s.stats?.alloc ?? null,
    s.stats?.free ?? null,
    mapped ? m.blocks : null,
    mapped ? m.unknownBlocks : null,
    mapped ? m.freeBlocks : null,
    mapped ? m.headBlocks : null,
    mapped ? m.tailBlocks : null,
    mapped ? m.largestFreeRun : null,
    mapped ? m.freeRuns : null,
    mapped ? m.oneBlockAllocs : null,
    mapped ? m.twoBlockAllocs : null,
    mapped ? m.largestAlloc : null
  ];
}
function summarize(s) {
  return { ...s, areas: s.areas.map((a) => ({ address: a.address, blocks: a.blocks })) };
}
var DeltaState = class {
  line = 0;
  offset = 0;
  host = 0;
  nums = new Array(N).fill(null);
  kinds = {};
  /** Log line shapes seen in the segment, by shape text, and their last numbers. */
  shapeIds = /* @__PURE__ */ new Map();
  shapes = [];
  reset() {
    this.line = 0;
    this.offset = 0;
    this.host = 0;
    this.nums = new Array(N).fill(null);
    this.kinds = {};
    this.shapeIds = /* @__PURE__ */ new Map();
    this.shapes = [];
  }
  /** Remembers a log line's shape (the packer and the unpacker both, for each literal text). */
  learn(text) {
    learnShape(this.shapeIds, this.shapes, text);
  }
};
var DIGITS = /[0-9]+/g;
function learnShape(ids, shapes, text) {
  const sh = shapeOfText(text);
  if (sh === null) return;
  const id = ids.get(sh.shape);
  if (id === void 0) {
    ids.set(sh.shape, shapes.length);
    shapes.push({ pieces: sh.shape.split("\0"), nums: sh.nums });
  } else {
    shapes[id].nums = sh.nums;
  }
}
function shapeOfText(text) {
  if (text.length > 512 || text.includes("\0")) return null;
  const nums = [];
  const shape = text.replace(DIGITS, (m) => {
    if (m.length > 15 || m.length > 1 && m.charCodeAt(0) === 48) return m;
    nums.push(Number(m));
    return "\0";
  });
  return nums.length ? { shape, nums } : null;
}
var IndexPacker = class {
  st = new DeltaState();
  /** Deltas start again from zero (at each segment). */
  reset() {
    this.st.reset();
  }
  pos(line, offset, hostMs) {
    const st = this.st;
    const r = [line - st.line, offset - st.offset, hostMs === null ? null : hostMs - st.host];
    st.line = line;
    st.offset = offset;
    if (hostMs !== null) st.host = hostMs;
    return r;
  }
  snapshot(s, hostMs, m) {
    const st = this.st;
    const [dl, ds, dh] = this.pos(s.line, s.byteStart, hostMs);
    st.offset = s.byteEnd;
    const nums = numbersOf(s, m);
    const coded = nums.map((v, i) => {
      const prev = st.nums[i];
      return v === null ? null : prev === null ? v : v - prev;
    });
    st.nums = nums;
    let flags = (s.complete ? F_COMPLETE : 0) | (s.consistent ? F_CONSISTENT : 0) | (s.printed ? F_PRINTED : 0) | (s.stats ? F_STATS : 0);
    if (s.collected !== null) flags |= F_COLLECTED_KNOWN | (s.collected ? F_COLLECTED : 0);
    let kinds = 0;
    if (s.areas.length > 0) {
      const d = {};
      for (const k of Object.keys(m.kinds)) if (m.kinds[k] !== (st.kinds[k] ?? 0)) d[k] = m.kinds[k] - (st.kinds[k] ?? 0);
      for (const k of Object.keys(st.kinds)) if (!(k in m.kinds)) d[k] = null;
      st.kinds = m.kinds;
      kinds = d;
    } else {
      kinds = m;
    }
    return [
      0,
      dl,
      ds,
      dh,
      s.byteEnd - s.byteStart,
      FRAMINGS.indexOf(s.framing),
      flags,
      s.addressStyle === null ? null : STYLES.indexOf(s.addressStyle),
      s.areas.map((a) => [a.address, a.blocks]),
      s.problems,
      coded,
      kinds
    ];
  }
  /**
   * An event. A log line whose text is exactly its bytes in the raw stream (`textInRaw`) is
   * stored as the byte length of that text: the reader reads it back from the raw bytes.
   */
  event(e, textInRaw = false) {
    const [dl, ds, dh] = this.pos(e.line, e.byteOffset, e.hostMs);
    switch (e.type) {
      case "log": {
        if (textInRaw) return [1, dl, ds, dh, e.text.length];
        const st = this.st;
        const sh = shapeOfText(e.text);
        const id = sh === null ? void 0 : st.shapeIds.get(sh.shape);
        if (sh !== null && id !== void 0) {
          const prev = st.shapes[id].nums;
          const coded = [id, ...sh.nums.map((v, k) => v - prev[k])];
          st.shapes[id].nums = sh.nums;
          return [1, dl, ds, dh, coded];
        }
        st.learn(e.text);
        return [1, dl, ds, dh, e.text];
      }
      case "device": {
        const extra = {};
        if (e.bytes !== void 0) extra.bytes = e.bytes;
        if (e.lost !== void 0) extra.lost = e.lost;
        if (e.detail !== void 0) extra.detail = e.detail;
        return Object.keys(extra).length ? [2, dl, ds, dh, e.kind, e.text, extra] : [2, dl, ds, dh, e.kind, e.text];
      }
      case "mark":
        return [3, dl, ds, dh, e.label, e.deviceMs];
      case "gap":
        return [4, dl, ds, dh, e.reason, e.hostMsStart, e.hostMsEnd];
    }
  }
};
var NO_PROBLEMS = Object.freeze([]);

// src/main/session/indexColumns.ts
var N2 = SNAPSHOT_NUMBERS.length;
var SEQ = 0;
var DEVICE_MS = 1;
var P_USED = 3;
var P_FREE = 4;
var P_ONE = 6;
var P_TWO = 7;
var P_MAX_BLOCK = 8;
var P_MAX_FREE = 9;
var BLOCK_SIZE = 15;
var BLOCKS = 18;
var UNKNOWN2 = 19;
var FREE5 = 20;
var HEAD = 21;
var TAIL3 = 22;
var LARGEST_FREE2 = 23;
var ONE3 = 25;
var TWO2 = 26;
var LARGEST_ALLOC2 = 27;
var ORDER = [15, 18, 19, 21, 22, 20, 23, 24, 25, 26, 27, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 1, 16, 17];
var LINEAR = [22, 23, 24, 25, 26];
var PLAIN = Array.from({ length: N2 }, (_, k) => ![SEQ, DEVICE_MS, FREE5, P_USED, P_FREE, P_ONE, P_TWO, P_MAX_BLOCK, P_MAX_FREE].includes(k) && !LINEAR.includes(k));
var EAGER = Array.from({ length: N2 }, (_, k) => [DEVICE_MS, BLOCK_SIZE, BLOCKS, UNKNOWN2, HEAD, TAIL3, FREE5, LARGEST_FREE2].includes(k));
var DECAY = 0.98;
var K_SNAPSHOT = 0;
var K_LOG = 1;
var K_DEVICE = 2;
var K_MARK = 3;
var K_GAP = 4;
var LOG_TEXT = 0;
var LOG_RAW = 1;
var LOG_SHAPE = 2;
var COLUMNS = 14 /* Nums */ + N2;
var SMALL = 2 ** 50;
var small = (v) => Number.isSafeInteger(v) && v < SMALL && v > -SMALL;
var ColumnState = class {
  line = 0;
  offset = 0;
  host = 0;
  /** Last known value of each number (NaN: none yet in the segment), and the step of seq and deviceMs. */
  last = new Float64Array(N2).fill(NaN);
  step = new Float64Array(N2);
  /** Head blocks per kind letter of the last snapshot with a map. */
  kinds = /* @__PURE__ */ new Map();
  /** The models of the LINEAR numbers, and of each kind letter. */
  lin = Array.from({ length: N2 }, (_, k) => LINEAR.includes(k) ? new LinearModel() : void 0);
  kindModels = /* @__PURE__ */ new Map();
  areas = [];
  shapeIds = /* @__PURE__ */ new Map();
  shapes = [];
  kindModel(letter) {
    let m = this.kindModels.get(letter);
    if (m === void 0) this.kindModels.set(letter, m = new LinearModel());
    return m;
  }
  learn(text) {
    learnShape(this.shapeIds, this.shapes, text);
  }
  /** What number k of a snapshot is predicted to be, from the figures coded before it. */
};
function predict(k, vals, n2, i, last, step) {
  let x = NaN;
  switch (k) {
    case SEQ:
    case DEVICE_MS:
      return last === last ? last + step : 0;
    case FREE5:
      x = vals[BLOCKS * n2 + i] - vals[UNKNOWN2 * n2 + i] - vals[HEAD * n2 + i] - vals[TAIL3 * n2 + i];
      break;
    case P_USED:
      x = (vals[HEAD * n2 + i] + vals[TAIL3 * n2 + i]) * vals[BLOCK_SIZE * n2 + i];
      break;
    case P_FREE:
      x = vals[FREE5 * n2 + i] * vals[BLOCK_SIZE * n2 + i];
      break;
    case P_ONE:
      x = vals[ONE3 * n2 + i];
      break;
    case P_TWO:
      x = vals[TWO2 * n2 + i];
      break;
    case P_MAX_BLOCK:
      x = vals[LARGEST_ALLOC2 * n2 + i];
      break;
    case P_MAX_FREE:
      x = vals[LARGEST_FREE2 * n2 + i];
      break;
  }
  return x === x ? x : last === last ? last : 0;
}
var LinearModel = class {
  sxy = 0;
  sxx = 0;
  lastHead = NaN;
  predict(last, head) {
    if (last !== last) return 0;
    const dh = head - this.lastHead;
    if (dh !== dh || !(this.sxx > 0)) return last;
    const d = Math.round(this.sxy / this.sxx * dh);
    return small(d) && small(last + d) ? last + d : last;
  }
  /** Value `v` came after `last`, with `head` head blocks. */
  learn(last, v, head) {
    const dh = head - this.lastHead;
    if (dh === dh && last === last) {
      const dx = v - last;
      this.sxy = this.sxy * DECAY + dx * dh;
      this.sxx = this.sxx * DECAY + dh * dh;
    }
    if (head === head) this.lastHead = head;
  }
};
function stepOf(k, last, v) {
  return (k === SEQ || k === DEVICE_MS) && last === last && small(v - last) ? v - last : 0;
}
var utf83 = new TextEncoder();
var utf8d2 = new TextDecoder("utf-8", { fatal: true });
function putText(s, t) {
  const b = utf83.encode(t);
  s.uvar(b.length);
  s.bytes(b);
}
function sameAreas(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].address !== b[i].address || a[i].blocks !== b[i].blocks) return false;
  return true;
}
var zig = (d) => d < 0 ? -2 * d - 1 : 2 * d;
function mostCommon(kinds) {
  let best = null;
  let most = -Infinity;
  for (const [l, v] of [...kinds].sort((a, b) => a[0].charCodeAt(0) - b[0].charCodeAt(0) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (v > most) {
      most = v;
      best = l;
    }
  }
  return best;
}
var ColumnPacker = class {
  st = new ColumnState();
  /** Deltas start again from zero (at each segment). */
  reset() {
    this.st = new ColumnState();
  }
  pack(items, p, ended) {
    const st = this.st;
    const cols = [];
    for (let c2 = 0; c2 < COLUMNS; c2++) cols.push(new ByteSink(1024));
    const snaps = [];
    for (const it of items) {
      if ("snap" in it) {
        const s = it.snap;
        cols[0 /* Kind */].byte(K_SNAPSHOT);
        this.pos(cols, s.line, s.byteStart, it.hostMs);
        st.offset = s.byteEnd;
        cols[4 /* Size */].uvar(s.byteEnd - s.byteStart);
        snaps.push({ s, m: it.metrics, v: numbersOf(s, it.metrics), odd: null });
        continue;
      }
      const e = it.ev;
      const kind = e.type === "log" ? K_LOG : e.type === "device" ? K_DEVICE : e.type === "mark" ? K_MARK : K_GAP;
      cols[0 /* Kind */].byte(kind);
      this.pos(cols, e.line, e.byteOffset, e.hostMs);
      switch (e.type) {
        case "log": {
          if (it.inRaw) {
            cols[11 /* Log */].uvar(LOG_RAW);
            cols[12 /* LogNum */].uvar(e.text.length);
            break;
          }
          const sh = shapeOfText(e.text);
          const id = sh === null ? void 0 : st.shapeIds.get(sh.shape);
          if (sh !== null && id !== void 0) {
            cols[11 /* Log */].uvar(LOG_SHAPE + id);
            const prev = st.shapes[id].nums;
            for (let k = 0; k < sh.nums.length; k++) cols[12 /* LogNum */].svar(sh.nums[k] - prev[k]);
            st.shapes[id].nums = sh.nums;
          } else {
            cols[11 /* Log */].uvar(LOG_TEXT);
            putText(cols[13 /* Text */], e.text);
            st.learn(e.text);
          }
          break;
        }
        case "device": {
          const extra = {};
          if (e.bytes !== void 0) extra.bytes = e.bytes;
          if (e.lost !== void 0) extra.lost = e.lost;
          if (e.detail !== void 0) extra.detail = e.detail;
          putText(cols[13 /* Text */], JSON.stringify(Object.keys(extra).length ? [e.kind, e.text, extra] : [e.kind, e.text]));
          break;
        }
        case "mark":
          putText(cols[13 /* Text */], JSON.stringify([e.label, e.deviceMs]));
          break;
        case "gap":
          putText(cols[13 /* Text */], JSON.stringify([e.reason, e.hostMsStart, e.hostMsEnd]));
          break;
      }
    }
    this.packSnapshots(cols, snaps);
    const out = new ByteSink(1 << 12);
    out.uvar(p);
    out.uvar(ended ? 1 : 0);
    out.uvar(items.length);
    out.uvar(snaps.length);
    for (const c2 of cols) {
      const v = c2.view();
      out.uvar(v.length);
      out.bytes(v);
    }
    return out.take();
  }
  pos(cols, line, offset, hostMs) {
    const st = this.st;
    cols[1 /* Line */].svar(line - st.line);
    cols[2 /* Offset */].svar(offset - st.offset);
    st.line = line;
    st.offset = offset;
    if (hostMs === null) {
      cols[3 /* Host */].uvar(0);
    } else if (small(hostMs) && small(hostMs - st.host)) {
      cols[3 /* Host */].uvar(zig(hostMs - st.host) + 2);
      st.host = hostMs;
    } else {
      cols[3 /* Host */].uvar(1);
      putText(cols[13 /* Text */], JSON.stringify(hostMs));
    }
  }
  /** The snapshots' fields, a column at a time. */
  packSnapshots(cols, snaps) {
    const st = this.st;
    for (const x of snaps) {
      const { s, m } = x;
      let flags = (s.complete ? F_COMPLETE : 0) | (s.consistent ? F_CONSISTENT : 0) | (s.printed ? F_PRINTED : 0) | (s.stats ? F_STATS : 0);
      if (s.collected !== null) flags |= F_COLLECTED_KNOWN | (s.collected ? F_COLLECTED : 0);
      for (let k = 0; k < N2; k++) {
        const val = x.v[k];
        if (val === null) continue;
        if (!Number.isFinite(val)) x.v[k] = null;
        else if (!small(val)) (x.odd ??= {})[k] = val;
      }
      const style = s.addressStyle === null ? 0 : STYLES.indexOf(s.addressStyle) + 1;
      cols[5 /* Form */].uvar(Math.max(0, FRAMINGS.indexOf(s.framing)) | style << 2 | flags << 5);
      if (sameAreas(s.areas, st.areas)) {
        cols[6 /* Areas */].uvar(0);
      } else {
        cols[6 /* Areas */].uvar(s.areas.length + 1);
        for (const a of s.areas) {
          putText(cols[6 /* Areas */], a.address);
          cols[6 /* Areas */].uvar(a.blocks);
        }
        st.areas = s.areas.map((a) => ({ address: a.address, blocks: a.blocks }));
      }
      cols[7 /* Problems */].uvar(s.problems.length);
      for (const t of s.problems) putText(cols[7 /* Problems */], t);
      if (s.areas.length === 0) putText(cols[10 /* Extra */], JSON.stringify(m));
    }
    const n2 = snaps.length;
    const vals = new Float64Array(N2 * n2);
    for (let i = 0; i < n2; i++) {
      const v = snaps[i].v;
      for (let k = 0; k < N2; k++) vals[k * n2 + i] = v[k] ?? NaN;
    }
    for (let o = 0; o < N2; o++) {
      const k = ORDER[o];
      const col = cols[14 /* Nums */ + o];
      const lm = st.lin[k];
      let last = st.last[k];
      let step = st.step[k];
      for (let i = 0; i < n2; i++) {
        const x = snaps[i];
        const v = vals[k * n2 + i];
        if (v !== v) {
          col.uvar(0);
          continue;
        }
        const head = vals[HEAD * n2 + i];
        if (x.odd && k in x.odd) {
          col.uvar(0);
        } else {
          const pred = lm ? lm.predict(last, head) : predict(k, vals, n2, i, last, step);
          if (small(pred) && small(v - pred)) {
            col.uvar(zig(v - pred) + 1);
          } else {
            col.uvar(0);
            (x.odd ??= {})[k] = v;
          }
        }
        lm?.learn(last, v, head);
        step = stepOf(k, last, v);
        last = v;
      }
      st.last[k] = last;
      st.step[k] = step;
    }
    const mapped = [];
    for (let i = 0; i < n2; i++) if (snaps[i].s.areas.length > 0) mapped.push(i);
    const letterSet = new Set(st.kinds.keys());
    for (const i of mapped) for (const k in snaps[i].m.kinds) letterSet.add(k);
    const letters = [...letterSet].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0) || (a < b ? -1 : a > b ? 1 : 0));
    const rest = mostCommon(st.kinds);
    const kc = cols[9 /* Kinds */];
    kc.uvar(letters.length);
    for (const l of letters) putText(kc, l);
    const others = new Float64Array(n2);
    for (const l of letters) {
      if (l === rest) continue;
      let prev = st.kinds.get(l);
      const lm = st.kindModel(l);
      for (const i of mapped) {
        const val = snaps[i].m.kinds[l];
        if (val === void 0) {
          kc.uvar(0);
          prev = void 0;
          continue;
        }
        if (!small(val)) throw new RangeError(`a kind count of ${val}`);
        const head = vals[HEAD * n2 + i];
        kc.uvar(zig(val - lm.predict(prev ?? 0, head)) + 1);
        lm.learn(prev ?? 0, val, head);
        others[i] += val;
        prev = val;
      }
    }
    if (rest !== null) {
      let prev = st.kinds.get(rest);
      for (const i of mapped) {
        const val = snaps[i].m.kinds[rest];
        if (val === void 0) kc.uvar(0);
        else if (vals[HEAD * n2 + i] - others[i] === val) kc.uvar(1);
        else kc.uvar(zig(val - (prev ?? 0)) + 2);
        prev = val;
      }
    }
    if (mapped.length) st.kinds = new Map(Object.entries(snaps[mapped[mapped.length - 1]].m.kinds));
    for (const x of snaps) putText(cols[8 /* Odd */], x.odd ? JSON.stringify(x.odd) : "");
  }
};
var NO_PROBLEMS2 = Object.freeze([]);

// src/main/session/writer.ts
var SPACE_CODES = /* @__PURE__ */ new Set(["ENOSPC", "EDQUOT"]);
var FLUSH_ITEMS = 2048;
var BROTLI_ITEMS = 256;
var SEGMENT_EVENTS_MAX = 32768;
var SessionWriter = class _SessionWriter {
  constructor(path5, fd, meta, options) {
    this.path = path5;
    this.fd = fd;
    this.flushIntervalMs = Math.min(1e3, Math.max(1, options.flushIntervalMs ?? 500));
    this.segSnapshotsMax = Math.max(1, options.segmentSnapshots ?? 256);
    this.segBytesMax = Math.max(4096, options.segmentBytes ?? 4 << 20);
    this.level = options.level ?? 6;
    this.format = options.format ?? FORMAT_VERSION;
    const coding = { format: this.format, level: this.level };
    this.client = options.worker ? new RawCoderClient(options.worker, coding, () => this.settled()) : null;
    this.enc = this.client ?? new RawCoder(coding);
    this.logTextInRaw = options.logText === "raw";
    this.fsync = options.fsync ?? false;
    this.onError = options.onError;
    this.onBlocked = options.onBlocked;
    const stored = {
      format: this.format,
      writer: "HeapScope",
      createdMs: Date.now(),
      meta
    };
    this.queue(encodeHeader(this.format));
    this.queue(encodeRecord(1 /* Meta */, jsonBytes(stored)));
    this.writeOut();
  }
  path;
  parser = new CaptureReader();
  /** The raw side: in this thread, or in a worker (then `client` is it too). */
  enc;
  client;
  format;
  /** Format 3's columns; format 2's JSON items (written only when asked for, by tests and tools). */
  packer = new ColumnPacker();
  jsonPacker = new IndexPacker();
  flushIntervalMs;
  segSnapshotsMax;
  segBytesMax;
  level;
  fd;
  /** Records to write, in file order; a ticket holds the worker's raw records once they come. */
  out = [];
  outBytes = 0;
  fileBytes = 0;
  timer = null;
  error = null;
  /** Set while the disk is full: nothing is written until retry() succeeds. */
  blockedBy = null;
  retrying = false;
  /** Raw bytes accounted for by the records queued so far, and by those on disk. */
  queuedRawEnd = 0;
  rawWritten = 0;
  ended = false;
  raw = 0;
  snapshots = 0;
  eventCount = 0;
  lastHostMs = null;
  lastLine = 0;
  /**
   * The last few log lines seen, as [line, byteOffset]: a log line starts at a line start, so
   * the latest one before a segment's start lets a reader number the lines after it.
   */
  anchors = [[1, 0]];
  seg = 0;
  segRawStart = 0;
  segSnapshots = 0;
  /** Other events (log lines mostly) in the segment: its index page is decoded whole when read. */
  segEvents = 0;
  /** Last 32 KiB of this segment's index text: the next index record's deflate dictionary. */
  indexTail = new Uint8Array(0);
  /** Events not in an index record yet (packed when written: the deltas follow file order). */
  items = [];
  /** The last bytes of the raw stream, to check that a log line's text is its bytes. */
  recent = new RecentBytes(1 << 16);
  /** The chunk being appended (its bytes follow the recent ones). */
  chunk = EMPTY;
  /** Raw bytes the index written so far accounts for. */
  indexedThrough = -1;
  fsync;
  logTextInRaw;
  onError;
  onBlocked;
  /** Releases the session's lock (see lock.ts) once the file is closed. */
  unlock = null;
  /**
   * Creates (or replaces) the file and writes its header. Takes the session's lock first: a
   * session another process is writing is refused (SessionLockedError), never truncated.
   */
  static create(path5, meta = {}, options = {}) {
    const unlock = lockSession(path5);
    let fd = null;
    try {
      fd = openSync3(path5, "w");
      const w = new _SessionWriter(path5, fd, meta, options);
      w.unlock = unlock;
      return w;
    } catch (err) {
      if (fd !== null) closeSync3(fd);
      unlock();
      throw err;
    }
  }
  get rawLength() {
    return this.raw;
  }
  get snapshotCount() {
    return this.snapshots;
  }
  get closed() {
    return this.fd === null;
  }
  /** Why nothing is being written (the disk is full), or null. */
  get blocked() {
    return this.blockedBy;
  }
  /** Raw bytes of the capture that are in the file (the rest is held in memory, or was lost). */
  get rawOnDisk() {
    return this.rawWritten;
  }
  /** Bytes held in memory that the file does not have yet. */
  get heldBytes() {
    return this.outBytes;
  }
  /** While blocked: tries to write what is held. True when nothing is held back any more. */
  retry() {
    if (this.fd === null) return false;
    this.retrying = true;
    try {
      this.writeOut();
    } finally {
      this.retrying = false;
    }
    return this.blockedBy === null;
  }
  /**
   * Bytes as they arrived from the board, with the host time they arrived (null for an
   * import). Returns the events they completed, in order (snapshots with their maps).
   */
  appendRaw(bytes, hostMs = Date.now()) {
    this.check();
    if (this.ended) throw new Error("the session capture has ended; no more bytes can be added");
    if (hostMs !== null) this.lastHostMs = hostMs;
    const start = this.raw;
    this.chunk = bytes;
    const events = this.parser.feed(bytes);
    this.raw += bytes.length;
    let pos = 0;
    for (const ev of events) {
      this.record(ev, hostMs);
      if (ev.type !== "snapshot") {
        this.segEvents++;
        continue;
      }
      this.segSnapshots++;
      const p = ev.snapshot.byteEnd;
      if (this.segSnapshots < this.segSnapshotsMax && p - this.segRawStart < this.segBytesMax) continue;
      if (p > start + pos) {
        this.enc.push(bytes.subarray(pos, p - start));
        pos = p - start;
      }
      if (p >= this.enc.codedEnd && p > this.segRawStart) this.cut(p, true, this.snapshots);
    }
    if (pos < bytes.length) this.enc.push(bytes.subarray(pos));
    this.recent.push(bytes);
    this.chunk = EMPTY;
    if (this.enc.codedEnd - this.segRawStart >= 4 * this.segBytesMax || this.segEvents >= SEGMENT_EVENTS_MAX) {
      const p = this.enc.codedEnd;
      let later = 0;
      for (const ev of events) if (ev.type === "snapshot" && ev.snapshot.byteEnd > p) later++;
      this.cut(p, !this.parser.inDump, this.snapshots - later);
    }
    this.writeRaw(false);
    if (this.items.length >= FLUSH_ITEMS) this.writeIndex();
    if (this.outBytes >= FLUSH_OPS) this.writeOut();
    this.schedule();
    return events;
  }
  /**
   * Events the host made (link gaps, user marks, notes). Their line and byteOffset should say
   * where in the raw stream they happened (addMark/addGap fill them in).
   */
  appendEvents(events, hostMs = Date.now()) {
    this.check();
    for (const ev of events) this.record(ev, hostMs);
    this.schedule();
  }
  /** A user mark at the current end of the raw stream. */
  addMark(label, hostMs = Date.now()) {
    const ev = { type: "mark", label, deviceMs: null, line: this.lastLine, byteOffset: this.raw };
    this.appendEvents([ev], hostMs);
    return ev;
  }
  /** The link went away (and, if hostMsEnd is given, came back) at the current end of the stream. */
  addGap(reason, hostMsStart, hostMsEnd = null) {
    const ev = { type: "gap", reason, hostMsStart, hostMsEnd, line: this.lastLine, byteOffset: this.raw };
    this.appendEvents([ev], hostMsEnd ?? hostMsStart);
    return ev;
  }
  /**
   * The capture is over: the parser reads its last line and finishes a dump in progress.
   * Returns those last events. No raw bytes can be added after this; close() calls it.
   */
  end() {
    this.check();
    if (this.ended) return [];
    this.ended = true;
    const events = this.parser.end();
    for (const ev of events) this.record(ev, this.lastHostMs);
    this.schedule();
    return events;
  }
  /** Writes everything appended so far to the file (what the timer does). */
  flush() {
    this.check();
    this.writeIndex();
    this.writeOut();
    if (this.fsync && this.fd !== null) fdatasyncSync(this.fd);
  }
  /**
   * With a worker (options.worker): resolves once at most `limit` of its records are owed, so an
   * import that reads faster than the worker codes does not hold the whole capture in memory.
   */
  async until(limit) {
    if (this.client) await this.client.until(limit);
    this.check();
  }
  /** Ends the capture, writes the end record and closes the file. */
  close() {
    if (this.client) throw new Error("a session written with a worker closes with closeAsync()");
    this.closeStart();
    return this.closeEnd();
  }
  /** close(), once the worker has given back every record (the same without one). */
  async closeAsync() {
    this.closeStart();
    try {
      await this.client?.until(0);
    } catch (err) {
      this.abandon();
      throw err;
    }
    return this.closeEnd();
  }
  closeStart() {
    if (this.fd === null) throw new Error("the session is already closed");
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.error) {
      this.abandon();
      throw this.error;
    }
    try {
      this.end();
      this.flush();
    } catch (err) {
      this.abandon();
      throw err;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
  closeEnd() {
    if (this.fd === null) throw new Error("the session is already closed");
    if (this.error) {
      this.abandon();
      throw this.error;
    }
    try {
      this.writeOut();
      if (this.out.length > 0 && !this.blockedBy) throw new Error("the session writer still holds records it could not order");
      this.queue(
        encodeRecord(
          5 /* End */,
          jsonBytes({ rawLength: this.raw, snapshots: this.snapshots, closedMs: Date.now() })
        )
      );
      this.retrying = true;
      this.writeOut();
      if (this.blockedBy) {
        const lost = this.raw - this.rawWritten;
        throw new WriteFailedError(
          this.path,
          Object.assign(new Error(), { code: this.blockedBy.code }),
          `was not completed (${lost > 0 ? `the last ${formatBytes(lost)} of the capture were lost; ` : ""}it holds the first ${formatBytes(this.rawWritten)} and opens)`
        );
      }
      fdatasyncSync(this.fd);
    } finally {
      this.retrying = false;
      this.abandon();
    }
    return { path: this.path, rawLength: this.raw, snapshots: this.snapshots, events: this.eventCount, segments: this.seg + 1, fileBytes: this.fileBytes };
  }
  /** Closes the file without the end record (as a crash would leave it). For tests and emergencies. */
  abandon() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client?.stop();
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      try {
        closeSync3(fd);
      } finally {
        this.unlock?.();
        this.unlock = null;
      }
    }
  }
  check() {
    if (this.error) throw this.error;
    if (this.fd === null) throw new Error("the session is closed");
  }
  schedule() {
    if (this.timer !== null || this.fd === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.fd === null || this.error) return;
      try {
        this.flush();
      } catch (err) {
        this.error = err;
        this.onError?.(this.error);
      }
    }, this.flushIntervalMs);
    this.timer.unref?.();
  }
  record(ev, hostMs) {
    if (ev.type === "snapshot") {
      const s = ev.snapshot;
      this.items.push({ snap: summarize(s), hostMs: hostMs ?? this.parser.wallClockOf(s.deviceMs), metrics: metricsOf(s) });
      this.snapshots++;
      if (s.line > 0) this.lastLine = s.line;
      return;
    }
    this.items.push({ ev: { ...ev, hostMs }, inRaw: this.logTextInRaw && ev.type === "log" && this.recent.holdsText(ev.byteOffset, ev.text, this.chunk) });
    this.eventCount++;
    if (ev.line > 0) this.lastLine = ev.line;
    if (ev.type === "log" && ev.line > 0) {
      this.anchors.push([ev.line, ev.byteOffset]);
      if (this.anchors.length > 8) this.anchors.shift();
    }
  }
  /** Ends the segment at raw offset p and starts the next one there. */
  cut(p, clean, snapshotsBefore) {
    this.enc.splitAt(p);
    this.writeRaw();
    this.enc.clearTables();
    let anchor = [1, 0];
    for (const a of this.anchors) if (a[1] <= p && a[1] >= anchor[1]) anchor = a;
    this.seg++;
    this.segRawStart = p;
    this.segSnapshots = 0;
    this.segEvents = 0;
    this.indexTail = new Uint8Array(0);
    this.packer.reset();
    this.jsonPacker.reset();
    this.queueSegment(snapshotsBefore, clean, anchor);
  }
  queueSegment(snapshotsBefore, clean, anchor) {
    const info = { n: this.seg, rawStart: this.segRawStart, clean, anchor, snapshotsBefore };
    this.queue(encodeRecord(2 /* Segment */, jsonBytes(info)));
  }
  /**
   * The ops coded since the last raw record, as a raw record: always when `force`, else once
   * they reach FLUSH_OPS.
   */
  writeRaw(force = true) {
    if (this.client) {
      this.out.push(this.client.take(this.lastHostMs, force));
      return;
    }
    const r = this.enc.take(this.lastHostMs, force);
    if (r === null) return;
    this.queue(r.bytes);
    this.queuedRawEnd = r.rawEnd;
  }
  /**
   * The index items since the last index record, as an index record, after the raw bytes it
   * accounts for (all of them: a reader may trust that the raw stream reaches `p`).
   */
  writeIndex() {
    this.enc.flushPartial();
    this.writeRaw();
    const through = this.raw;
    if (this.items.length === 0 && through === this.indexedThrough && !this.ended) return;
    if (this.format < CELLS_FROM) return this.writeJsonIndex(through);
    const text = this.packer.pack(this.items, through, this.ended);
    let packed = this.deflate(text, this.indexTail);
    let coder = INDEX_DEFLATE;
    if (this.items.length >= BROTLI_ITEMS) {
      const b = zlib3.brotliCompressSync(text, {
        params: { [zlib3.constants.BROTLI_PARAM_QUALITY]: 10, [zlib3.constants.BROTLI_PARAM_SIZE_HINT]: text.length }
      });
      if (b.length < packed.length) {
        packed = b;
        coder = INDEX_BROTLI;
      }
    }
    this.indexTail = windowTail(this.indexTail, text);
    const head = new ByteSink(8);
    head.uvar(text.length);
    head.uvar(coder);
    this.queueIndex(6 /* Columns */, concatBytes([head.view(), packed]), through);
  }
  /** Format 2's index record: the items as JSON, deflated primed with the segment's index. */
  writeJsonIndex(through) {
    const packed = this.items.map((it) => "snap" in it ? this.jsonPacker.snapshot(it.snap, it.hostMs, it.metrics) : this.jsonPacker.event(it.ev, it.inRaw));
    const body = { p: through, e: packed };
    if (this.ended) body.x = 1;
    const text = jsonBytes(body);
    const deflated = this.deflate(text, this.indexTail);
    this.indexTail = windowTail(this.indexTail, text);
    const head = new ByteSink(8);
    head.uvar(text.length);
    this.queueIndex(4 /* Index */, concatBytes([head.view(), deflated]), through);
  }
  /** An index record, its counts first so a reader can step over it without inflating it. */
  queueIndex(type, payload, through) {
    let snaps = 0;
    for (const it of this.items) if ("snap" in it) snaps++;
    this.queue(encodeIndexCounts({ snapshots: snaps, events: this.items.length - snaps, p: through, ended: this.ended }));
    this.queue(encodeRecord(type, payload));
    this.items = [];
    this.indexedThrough = through;
  }
  deflate(data, dictionary) {
    const opts = { level: this.level, memLevel: 9 };
    if (dictionary.length) opts.dictionary = dictionary;
    return zlib3.deflateRawSync(data, opts);
  }
  queue(rec) {
    this.out.push(rec);
    this.outBytes += rec.length;
  }
  writeOut() {
    if (this.out.length === 0 || this.fd === null) return;
    if (this.blockedBy && !this.retrying) return;
    const parts = [];
    let k = 0;
    let rawEnd = -1;
    for (; k < this.out.length; k++) {
      const it = this.out[k];
      if (it instanceof Uint8Array) {
        parts.push(it);
        continue;
      }
      if (it.records === null) break;
      for (const r of it.records) {
        parts.push(r.bytes);
        rawEnd = r.rawEnd;
      }
    }
    if (parts.length === 0) return;
    const buf = parts.length === 1 ? parts[0] : concatBytes(parts);
    const rest = this.out.slice(k);
    this.out = [buf, ...rest];
    let off = 0;
    try {
      while (off < buf.length) {
        const n2 = writeSync2(this.fd, buf, off, buf.length - off, this.fileBytes + off);
        if (n2 <= 0) throw Object.assign(new Error("no byte was written"), { code: "ENOSPC" });
        off += n2;
      }
    } catch (err) {
      const code = err.code ?? "";
      if (!SPACE_CODES.has(code)) throw err;
      if (!this.onBlocked) throw new WriteFailedError(this.path, err);
      ftruncateSync(this.fd, this.fileBytes);
      const first = this.blockedBy === null;
      this.blockedBy = new WriteFailedError(this.path, err, "cannot be written");
      if (first) this.onBlocked?.(this.blockedBy);
      return;
    }
    this.out = rest;
    this.outBytes = 0;
    for (const it of rest) if (it instanceof Uint8Array) this.outBytes += it.length;
    this.fileBytes += buf.length;
    if (this.client) {
      if (rawEnd >= 0) this.rawWritten = rawEnd;
    } else {
      this.rawWritten = this.queuedRawEnd;
    }
    this.blockedBy = null;
  }
  /** The worker gave records back (or failed): write what now can be, keep a failure for later. */
  settled() {
    if (this.fd === null || this.error) return;
    try {
      if (this.client?.error) throw this.client.error;
      this.writeOut();
    } catch (err) {
      this.error = err;
      this.onError?.(this.error);
    }
  }
};
var EMPTY = new Uint8Array(0);
var RecentBytes = class {
  ring;
  end = 0;
  // stream offset just past the last byte pushed
  constructor(size) {
    this.ring = new Uint8Array(size);
  }
  push(b) {
    const size = this.ring.length;
    const n2 = b.length;
    const from = n2 > size ? n2 - size : 0;
    for (let i = from; i < n2; ) {
      const at = (this.end + i) % size;
      const k = Math.min(n2 - i, size - at);
      this.ring.set(b.subarray(i, i + k), at);
      i += k;
    }
    this.end += n2;
  }
  /**
   * Whether `text` is printable ASCII and exactly the bytes at stream offset `at`, in the
   * recent bytes followed by `next` (the chunk not pushed yet).
   */
  holdsText(at, text, next) {
    const size = this.ring.length;
    const n2 = text.length;
    const end = this.end;
    if (n2 === 0 || at < end - size || at + n2 > end + next.length) return false;
    for (let i = 0; i < n2; i++) {
      const c2 = text.charCodeAt(i);
      const x = at + i;
      const b = x < end ? this.ring[x % size] : next[x - end];
      if (c2 < 32 || c2 > 126 || b !== c2) return false;
    }
    return true;
  }
};

// src/main/record/heldWriter.ts
var HOLD_BYTES_MAX = 64 << 20;
var RecordingLossError = class extends WriteFailedError {
  constructor(path5, cause, lostBytes, onDisk) {
    super(path5, Object.assign(new Error(), { code: cause.code }), `was not completed (${formatBytes(lostBytes)} of the board's output were lost; the session holds the first ${formatBytes(onDisk)} and opens)`);
    this.lostBytes = lostBytes;
    this.onDisk = onDisk;
  }
  lostBytes;
  onDisk;
};
var HeldWriter = class {
  constructor(create, hooks = {}, options = {}) {
    this.hooks = hooks;
    this.maxHeld = options.maxHeldBytes ?? HOLD_BYTES_MAX;
    this.retryMs = options.retryMs ?? 500;
    this.writer = create({
      onBlocked: (err) => {
        this.arm();
        this.hooks.blocked?.(err);
      }
    });
  }
  hooks;
  writer;
  held = [];
  heldBytes = 0;
  /** Dropped since writing last resumed, and in all. */
  dropped = 0;
  droppedTotal = 0;
  heldSince = 0;
  timer = null;
  maxHeld;
  retryMs;
  /** Board output lost to a full disk so far. */
  get lostBytes() {
    return this.droppedTotal;
  }
  /** The board's bytes: written (returns their events) or, while the disk is full, held. */
  append(chunk, hostMs) {
    if (this.writer.blocked === null && this.held.length === 0) return this.writer.appendRaw(chunk, hostMs);
    this.hold({ chunk: new Uint8Array(chunk), hostMs });
    this.heldBytes += chunk.length;
    while (this.heldBytes > this.maxHeld) {
      const k = this.held.findIndex((h2) => "chunk" in h2);
      if (k < 0 || k === this.held.length - 1) break;
      const old = this.held.splice(k, 1)[0];
      this.heldBytes -= old.chunk.length;
      this.dropped += old.chunk.length;
      this.droppedTotal += old.chunk.length;
    }
    this.arm();
    return [];
  }
  /** Something is waiting for room (the disk is full, or held bytes are not all written yet). */
  get holding() {
    return this.writer.blocked !== null || this.held.length > 0;
  }
  /**
   * A user mark. While bytes are held it waits behind them and is written in its place: the
   * returned list is then empty and the mark comes out through `events` with those bytes'.
   */
  addMark(label, hostMs = Date.now()) {
    if (!this.holding) return [this.writer.addMark(label, hostMs)];
    this.hold({ mark: label, hostMs });
    return [];
  }
  /** A gap in the link, kept in its place like a mark (see addMark). */
  addGap(reason, hostMsStart, hostMsEnd = null) {
    if (!this.holding) return [this.writer.addGap(reason, hostMsStart, hostMsEnd)];
    this.hold({ gap: reason, hostMsStart, hostMsEnd });
    return [];
  }
  hold(h2) {
    if (this.held.length === 0) this.heldSince = this.writer.rawLength;
    this.held.push(h2);
    this.arm();
  }
  arm() {
    if (this.timer !== null || this.writer.closed) return;
    this.timer = setInterval(() => this.tryResume(), this.retryMs);
    this.timer.unref?.();
  }
  disarm() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
  /** Writes what is held if there is room now. True when nothing is held back any more. */
  tryResume() {
    const w = this.writer;
    if (w.closed) return false;
    if (w.blocked && !w.retry()) return false;
    const written = this.heldBytes;
    const events = [];
    if (this.dropped > 0) {
      const now = Date.now();
      events.push(w.addGap(`the disk was full: ${formatBytes(this.dropped)} of the board's output from byte ${this.heldSince} on were lost`, now, now));
    }
    while (this.held.length > 0 && w.blocked === null) {
      const h2 = this.held.shift();
      if ("mark" in h2) {
        events.push(w.addMark(h2.mark, h2.hostMs));
        continue;
      }
      if ("gap" in h2) {
        events.push(w.addGap(h2.gap, h2.hostMsStart, h2.hostMsEnd));
        continue;
      }
      this.heldBytes -= h2.chunk.length;
      for (const ev of w.appendRaw(h2.chunk, h2.hostMs)) events.push(ev);
      w.flush();
    }
    if (events.length) this.hooks.events?.(events);
    if (w.blocked !== null || this.held.length > 0) return false;
    this.disarm();
    const dropped = this.dropped;
    this.dropped = 0;
    this.hooks.resumed?.(written, dropped);
    return true;
  }
  /** The capture is over: its last events (a dump in progress). */
  end() {
    return this.writer.end();
  }
  /**
   * Writes the end of the session and closes it. If the disk is still full, the file keeps
   * its last complete write and a RecordingLossError says exactly how many bytes were lost.
   */
  close() {
    this.disarm();
    const w = this.writer;
    if (this.held.length > 0 || w.blocked) this.tryResume();
    this.disarm();
    const heldLost = this.heldBytes;
    this.held = [];
    this.heldBytes = 0;
    try {
      const summary = w.close();
      if (heldLost === 0) return summary;
      throw new RecordingLossError(w.path, new WriteFailedError(w.path, Object.assign(new Error(), { code: "ENOSPC" })), heldLost + this.droppedTotal, w.rawOnDisk);
    } catch (err) {
      if (err instanceof RecordingLossError || !(err instanceof WriteFailedError)) throw err;
      const lost = heldLost + this.droppedTotal + (w.rawLength - w.rawOnDisk);
      throw new RecordingLossError(w.path, err, lost, w.rawOnDisk);
    }
  }
  abandon() {
    this.disarm();
    this.writer.abandon();
  }
};

// src/main/record/recorder.ts
import { readFile } from "node:fs/promises";
import path2 from "node:path";

// src/main/board/install/installFile.ts
import { createHash } from "node:crypto";

// src/main/board/serial/errors.ts
import { readdirSync, readFileSync as readFileSync2, readlinkSync, realpathSync } from "node:fs";
var BoardError = class extends Error {
  constructor(kind, what, advice = "", received) {
    super(advice ? `${what} ${advice}` : what);
    this.kind = kind;
    this.what = what;
    this.advice = advice;
    this.received = received;
    this.name = "BoardError";
  }
  kind;
  what;
  advice;
  received;
};
var BoardExecError = class extends BoardError {
  constructor(stdout, stderr) {
    super("exec", `The board raised: ${lastLine(stderr)}`);
    this.stdout = stdout;
    this.stderr = stderr;
    this.name = "BoardExecError";
  }
  stdout;
  stderr;
  /** errno of an OSError, if the traceback shows one (`OSError: [Errno 30] EROFS`, `OSError: 30`). */
  get errno() {
    const m = /OSError: (?:\[Errno )?(\d+)/.exec(this.stderr);
    return m ? Number(m[1]) : null;
  }
};
function lastLine(text) {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? "";
}
var KNOWN_HOLDERS = {
  screen: "screen",
  minicom: "minicom",
  picocom: "picocom",
  mpremote: "mpremote",
  rshell: "rshell",
  ampy: "ampy",
  thonny: "Thonny",
  python3: "a Python program (Thonny, mpremote, rshell\u2026)",
  python: "a Python program (Thonny, mpremote, rshell\u2026)",
  "arduino-ide": "the Arduino IDE",
  code: "VS Code (a serial monitor extension)",
  modemmanager: "ModemManager",
  brltty: "brltty (a braille display daemon that grabs CH340/CP210x adapters)",
  putty: "PuTTY",
  cu: "cu",
  tio: "tio"
};
function findPortHolders(path5) {
  if (process.platform !== "linux") return [];
  let target;
  try {
    target = realpathSync(path5);
  } catch {
    return [];
  }
  const holders = [];
  let pids;
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link === target) {
        let name = "?";
        try {
          name = readFileSync2(`/proc/${pid}/comm`, "utf8").trim();
        } catch {
        }
        holders.push({ pid: Number(pid), name });
        break;
      }
    }
  }
  return holders;
}
function holderWords(holders) {
  if (holders.length === 0) return "";
  const names = holders.map((h2) => `${KNOWN_HOLDERS[h2.name.toLowerCase()] ?? h2.name} (pid ${h2.pid})`);
  return ` It is open in: ${names.join(", ")}.`;
}
var BUSY_ADVICE = "Another program holds the port (a serial terminal such as screen or minicom, Thonny, mpremote, rshell, an IDE serial monitor): close it and try again.";
function describeOpenError(err, path5) {
  if (err instanceof BoardError) return err;
  const e = err;
  const msg = String(e?.message ?? err);
  const code = e?.code ?? "";
  if (code === "EACCES" || code === "EPERM" || /permission denied|access is denied/i.test(msg)) {
    const advice = process.platform === "linux" ? `Add yourself to the group that owns the port (usually dialout: sudo usermod -aG dialout $USER), then log out and in again.` : process.platform === "darwin" ? "Check that no other program holds it and that you may open it." : "Close any other program that has it open (a serial monitor, Thonny, mpremote).";
    return new BoardError("permission", `Permission denied opening ${path5}.`, advice);
  }
  if (code === "ENOENT" || /no such file|file not found|cannot find the file/i.test(msg)) {
    return new BoardError(
      "not-found",
      `There is no port ${path5}.`,
      "Check the cable (some are charge-only) and run `heapscope ports` to see the ports there are; a board that was reset may have come back under another name."
    );
  }
  if (code === "EBUSY" || code === "EAGAIN" || /resource busy|temporarily unavailable|cannot lock port|in use/i.test(msg)) {
    return new BoardError("busy", `${path5} is busy.`, BUSY_ADVICE + holderWords(findPortHolders(path5)));
  }
  return new BoardError("open-failed", `Could not open ${path5}: ${msg}`);
}
function noAnswerError(path5, received) {
  const holders = findPortHolders(path5);
  const seen = received && received.length ? ` It sent ${received.length} bytes, but not the raw REPL prompt.` : " It sent nothing back.";
  const advice = (holders.length ? BUSY_ADVICE + holderWords(holders) + " Otherwise: " : "") + "Press the board's reset button and try again; check that the baud rate is right (115200 for most boards) and that this is the board's REPL port. A program that disabled Ctrl-C with micropython.kbd_intr(-1) cannot be interrupted: reset the board, or remove that call from its main.py.";
  return new BoardError("no-answer", `The board on ${path5} did not answer.${seen}`, advice, received);
}

// src/main/board/install/installFile.ts
var EROFS = 30;
function pyStr(s) {
  return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r") + "'";
}
function escapeBytes(bytes) {
  let s = "";
  for (const b of bytes) {
    if (b === 92) s += "\\\\";
    else if (b === 39) s += "\\'";
    else if (b >= 32 && b < 127) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return s;
}
function splitEscaped(content, budget) {
  const pieces = [];
  let cur = "";
  for (let i = 0; i < content.length; i++) {
    const e = escapeBytes(content.subarray(i, i + 1));
    if (cur.length + e.length > budget) {
      pieces.push(cur);
      cur = "";
    }
    cur += e;
  }
  if (cur.length || pieces.length === 0) pieces.push(cur);
  return pieces;
}
function sha256Hex(content) {
  return createHash("sha256").update(content).digest("hex");
}
async function remoteFileInfo(repl, path5, withHash) {
  const code = `import os
def _hs_fi(p,h):
 try:
  s=os.stat(p)[6]
 except OSError:
  print(-1)
  return
 print(s)
 if h:
  import hashlib,binascii
  d=hashlib.sha256()
  b=bytearray(256)
  mv=memoryview(b)
  with open(p,'rb') as f:
   while True:
    n=f.readinto(b)
    if not n:
     break
    d.update(mv[:n])
  print(binascii.hexlify(d.digest()).decode())
_hs_fi(${pyStr(path5)},${withHash ? 1 : 0})
del _hs_fi
`;
  const lines = (await repl.execOk(code)).trim().split(/\r?\n/);
  const size = Number(lines[0]);
  if (!Number.isFinite(size)) throw new BoardError("protocol", `Could not read the size of ${path5} on the board.`);
  return { size, sha256: withHash && size >= 0 ? lines[1]?.trim() ?? null : null };
}
async function readRemoteFile(repl, path5) {
  const code = `import binascii
with open(${pyStr(path5)},'rb') as f:
 while True:
  b=f.read(256)
  if not b:
   break
  print(binascii.hexlify(b).decode())
`;
  const out = await repl.execOk(code);
  return Buffer.from(out.replace(/\s+/g, ""), "hex");
}
async function installFile(repl, path5, content, opts) {
  const hash = sha256Hex(content);
  if (!opts.force) {
    const have = await remoteFileInfo(repl, path5, opts.hasSha256);
    if (have.size === content.length) {
      const same = opts.hasSha256 ? have.sha256 === hash : Buffer.compare(Buffer.from(await readRemoteFile(repl, path5)), Buffer.from(content)) === 0;
      if (same) return { status: "skipped", bytes: content.length, sha256: hash };
    }
  }
  const tmp = path5 + ".tmp";
  const maxCode = opts.maxCodeBytes ?? 1024;
  const prefix = "_hs_f.write(b'";
  const suffix = "')\n";
  const pieces = splitEscaped(content, Math.max(16, maxCode - prefix.length - suffix.length));
  try {
    await repl.execOk(`_hs_f=open(${pyStr(tmp)},'wb')
`);
  } catch (err) {
    if (err instanceof BoardExecError && (err.errno === EROFS || /EROFS|read-only/i.test(err.stderr))) {
      return { status: "read-only", errno: err.errno };
    }
    throw err;
  }
  let written = 0;
  try {
    for (const piece of pieces) {
      await repl.execOk(prefix + piece + suffix);
      written += unescapedLength(piece);
      opts.onProgress?.(written, content.length);
    }
    await repl.execOk(`_hs_f.close()
del _hs_f
`);
  } catch (err) {
    await repl.exec(`try:
 _hs_f.close()
except Exception:
 pass
try:
 import os
 os.remove(${pyStr(tmp)})
except Exception:
 pass
`).catch(() => {
    });
    throw err;
  }
  await repl.execOk(
    `import os
try:
 os.rename(${pyStr(tmp)},${pyStr(path5)})
except OSError:
 os.remove(${pyStr(path5)})
 os.rename(${pyStr(tmp)},${pyStr(path5)})
`
  );
  const check = await remoteFileInfo(repl, path5, opts.hasSha256);
  if (check.size !== content.length) {
    throw new BoardError("protocol", `${path5} on the board has ${check.size} bytes after the upload, not ${content.length}.`, "Try again; if it persists, the filesystem may be full.");
  }
  if (opts.hasSha256 && check.sha256 !== hash) {
    throw new BoardError("protocol", `${path5} on the board does not match after the upload (sha256 differs).`, "Try again; the link may be dropping bytes.");
  }
  return { status: "written", bytes: content.length, sha256: hash, chunks: pieces.length };
}
function unescapedLength(piece) {
  let n2 = 0;
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] === "\\") i += piece[i + 1] === "x" ? 3 : 1;
    n2++;
  }
  return n2;
}

// src/main/board/install/installHelper.ts
import { existsSync, readFileSync as readFileSync3 } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
var EIO = 5;
var ENOSPC = 28;
var HELPER_MODULE = "mem_dump";
var HELPER_FILE = "mem_dump.py";
function helperSourcePath() {
  let dir2 = path.dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    const candidate = path.join(dir2, "device", HELPER_FILE);
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir2);
    if (up === dir2) throw new Error(`the helper ${HELPER_FILE} was not found in a device/ folder above ${path.dirname(fileURLToPath(import.meta.url))}`);
    dir2 = up;
  }
}
function readHelperSource(file = helperSourcePath()) {
  return readFileSync3(file);
}
async function installHelper(repl, id, opts = {}) {
  const source = opts.source ?? readHelperSource();
  if (opts.fromRam) return { where: "ram", source, reason: "asked to run the helper from RAM" };
  if (id.readOnlyFs) return { where: "ram", source, reason: "the board's filesystem is read-only to Python" };
  let result;
  try {
    result = await installFile(repl, HELPER_FILE, source, {
      hasSha256: id.hasSha256,
      force: opts.force,
      onProgress: opts.onProgress
    });
  } catch (err) {
    const errno = err instanceof BoardExecError ? err.errno : null;
    if (errno === ENOSPC || errno === EIO) {
      return { where: "ram", source, reason: `the helper could not be written (${errno === ENOSPC ? "the filesystem is full" : "a filesystem error"})` };
    }
    throw err;
  }
  if (result.status === "read-only") {
    return { where: "ram", source, reason: "the board's filesystem is read-only to Python (EROFS)" };
  }
  return { where: "file", result };
}

// src/main/board/repl/identify.ts
var IDENTIFY_CODE = `import sys,gc
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
function parseIdentity(stdout) {
  const kv = /* @__PURE__ */ new Map();
  for (const line of stdout.split(/\r?\n/)) {
    const i = line.indexOf("=");
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const flag = (k) => kv.get(k) === "1";
  const heap = kv.has("heap") ? Number(kv.get("heap")) : NaN;
  return {
    impl: kv.get("impl") ?? "unknown",
    version: kv.get("version") ?? "",
    platform: kv.get("platform") ?? "",
    machine: kv.get("machine") || null,
    hasMemInfo: flag("meminfo"),
    hasTimer: flag("timer"),
    hasSchedule: flag("schedule"),
    hasSha256: flag("sha256"),
    hasAsyncio: flag("asyncio"),
    readOnlyFs: flag("readonly"),
    heapBytes: Number.isFinite(heap) ? heap : null
  };
}
async function identifyBoard(repl) {
  return parseIdentity(await repl.execOk(IDENTIFY_CODE));
}
function describeIdentity(id) {
  const name = id.impl === "micropython" ? "MicroPython" : id.impl === "circuitpython" ? "CircuitPython" : id.impl;
  const missing = [
    id.hasMemInfo ? null : "no mem_info",
    id.hasTimer ? null : "no machine.Timer",
    id.hasSchedule ? null : "no micropython.schedule",
    id.readOnlyFs ? "read-only filesystem" : null
  ].filter(Boolean);
  return `${name} ${id.version} on ${id.platform}${id.machine ? ` (${id.machine})` : ""}${missing.length ? `; ${missing.join(", ")}` : ""}`;
}

// src/main/board/repl/linkReader.ts
var DEFAULT_SILENCE_MS = 1e4;
var EMPTY2 = new Uint8Array(0);
var LinkReader = class {
  constructor(link) {
    this.link = link;
    this.offData = link.onData((chunk) => this.arrive(chunk));
    this.offClose = link.onClose((info) => {
      this.closedInfo = info;
      const p = this.pending;
      if (p && !p.check()) p.fail(this.closedError("the board"));
    });
  }
  link;
  buf = Buffer.alloc(0);
  pending = null;
  closedInfo = null;
  lastByteAt = Date.now();
  offData;
  offClose;
  /**
   * Called with bytes that arrive while no read waits; returning true consumes them (they
   * are not buffered for a later read).
   */
  onIdleData = null;
  get closed() {
    return this.closedInfo !== null;
  }
  /** Bytes received and not yet claimed. */
  get available() {
    return this.buf.length;
  }
  dispose() {
    this.offData();
    this.offClose();
    this.pending?.fail(new BoardError("cancelled", "The reader was closed."));
  }
  /** Takes (and removes) everything buffered. */
  take() {
    const out = this.buf;
    this.buf = Buffer.alloc(0);
    return out.length ? new Uint8Array(out.buffer, out.byteOffset, out.length) : EMPTY2;
  }
  /** Waits `ms`, then returns and discards everything that arrived (and was buffered). */
  async drain(ms) {
    await sleep(ms);
    return this.take();
  }
  /** Waits until `ms` pass with no byte arriving (at most `maxMs`), then takes everything. */
  async drainQuiet(ms, maxMs) {
    const start = Date.now();
    for (; ; ) {
      const quietFor = Date.now() - this.lastByteAt;
      if (quietFor >= ms || Date.now() - start >= maxMs || this.closed) break;
      await sleep(Math.min(ms - quietFor, maxMs - (Date.now() - start)) + 1);
    }
    return this.take();
  }
  /** Reads up to and including `ending`; bytes after it stay buffered. */
  readUntil(ending, opts = {}) {
    const end = typeof ending === "string" ? Buffer.from(ending, "latin1") : Buffer.from(ending);
    let searchFrom = 0;
    return this.wait(opts, (resolve) => {
      const i = this.buf.indexOf(end, Math.max(0, searchFrom - end.length + 1));
      if (i < 0) {
        searchFrom = this.buf.length;
        return false;
      }
      const cut = i + end.length;
      const out = Buffer.from(this.buf.subarray(0, cut));
      this.buf = this.buf.subarray(cut);
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
      return true;
    });
  }
  /** Reads exactly `n` bytes. */
  readExactly(n2, opts = {}) {
    return this.wait(opts, (resolve) => {
      if (this.buf.length < n2) return false;
      const out = Buffer.from(this.buf.subarray(0, n2));
      this.buf = this.buf.subarray(n2);
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
      return true;
    });
  }
  /**
   * Hands every byte before `stopByte` to `sink` as it arrives, and resolves once `stopByte`
   * has been seen (it is consumed; later bytes stay buffered).
   */
  stream(stopByte, sink, opts = {}) {
    return this.wait(
      opts,
      (resolve) => {
        if (this.buf.length === 0) return false;
        const i = this.buf.indexOf(stopByte);
        const upto = i < 0 ? this.buf.length : i;
        if (upto > 0) {
          const part = Buffer.from(this.buf.subarray(0, upto));
          sink(new Uint8Array(part.buffer, part.byteOffset, part.length));
        }
        if (i < 0) {
          this.buf = Buffer.alloc(0);
          return false;
        }
        this.buf = this.buf.subarray(i + 1);
        resolve();
        return true;
      }
    );
  }
  arrive(chunk) {
    this.lastByteAt = Date.now();
    if (!this.pending && this.onIdleData && this.onIdleData(chunk)) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    this.pending?.check();
  }
  closedError(what) {
    const info = this.closedInfo;
    return new BoardError(
      "disconnected",
      `${this.link.label} ${info?.disconnected ? "disconnected" : "was closed"} while waiting for ${what}.`,
      info?.disconnected ? "Check the cable; a board that reset may come back under another port name." : ""
    );
  }
  wait(opts, attempt) {
    if (this.pending) return Promise.reject(new BoardError("busy-link", "Another read is already waiting on this link."));
    const silenceMs = opts.silenceMs === void 0 ? DEFAULT_SILENCE_MS : opts.silenceMs;
    const totalMs = opts.totalMs ?? null;
    const what = opts.what ?? "an answer";
    return new Promise((resolve, reject) => {
      let done = false;
      let silenceTimer = null;
      let totalTimer = null;
      const start = Date.now();
      const finish = () => {
        done = true;
        this.pending = null;
        if (silenceTimer) clearTimeout(silenceTimer);
        if (totalTimer) clearTimeout(totalTimer);
        opts.signal?.removeEventListener("abort", onAbort);
      };
      const ok = (v) => {
        if (done) return;
        finish();
        resolve(v);
      };
      const fail = (err) => {
        if (done) return;
        finish();
        reject(err);
      };
      const onAbort = () => fail(new BoardError("cancelled", `Stopped waiting for ${what}.`));
      const timeout = (ms, kind) => fail(
        new BoardError(
          "timeout",
          `The board sent nothing for ${(ms / 1e3).toFixed(ms < 1e3 ? 2 : 0)} s ${kind}while waiting for ${what}.`,
          "",
          Buffer.from(this.buf)
        )
      );
      const armSilence = () => {
        if (silenceMs === null || done) return;
        const due = Math.max(this.lastByteAt, start) + silenceMs - Date.now();
        if (due <= 0) return timeout(silenceMs, "");
        silenceTimer = setTimeout(armSilence, due);
      };
      this.pending = { check: () => done || attempt(ok), fail };
      if (attempt(ok)) return;
      if (this.closedInfo) return fail(this.closedError(what));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      if (totalMs !== null) {
        totalTimer = setTimeout(() => {
          const err = new BoardError("timeout", `No ${what} within ${(totalMs / 1e3).toFixed(1)} s.`, "", Buffer.from(this.buf));
          fail(err);
        }, totalMs);
      }
      armSilence();
    });
  }
};
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// src/main/board/repl/mutex.ts
var Mutex = class {
  tail = Promise.resolve();
  depth = 0;
  /** True while a transaction runs or waits. */
  get busy() {
    return this.depth > 0;
  }
  run(fn) {
    this.depth++;
    const result = this.tail.then(fn, fn);
    this.tail = result.then(
      () => this.depth--,
      () => this.depth--
    );
    return result;
  }
};

// src/main/board/repl/utf8.ts
function decodeUtf8(bytes) {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

// src/main/board/repl/rawRepl.ts
var RAW_BANNER = "raw REPL; CTRL-B to exit\r\n>";
var RAW_BANNER_TAIL = "w REPL; CTRL-B to exit\r\n>";
var FRIENDLY_BANNER_END = "for more information.\r\n>>> ";
var ESP_ROM_RESET = /(^|\n)rst:0x[0-9a-f]+ \([A-Z_]+\),boot:0x/;
var CTRL_C = "\r";
var EOT = 4;
var RawRepl = class {
  constructor(link, opts = {}) {
    this.link = link;
    this.opts = opts;
    this.reader = new LinkReader(link);
    this.silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
    this.rawPaste = opts.noRawPaste ? false : null;
    this.log = opts.log ?? (() => {
    });
  }
  link;
  opts;
  reader;
  lock = new Mutex();
  silenceMs;
  inRaw = false;
  /** null: not tried yet on this connection. */
  rawPaste;
  log;
  /** True while a transaction runs (terminal keystrokes must wait). */
  get busy() {
    return this.lock.busy;
  }
  get inRawRepl() {
    return this.inRaw;
  }
  /** Whether this board took raw-paste (null: not tried yet). */
  get rawPasteSupported() {
    return this.rawPaste;
  }
  /** Runs `fn` as one transaction: nothing else talks to the board meanwhile. */
  transaction(fn) {
    return this.lock.run(fn);
  }
  dispose() {
    this.reader.dispose();
  }
  /**
   * Interrupts whatever runs and enters the raw REPL: `\r\x03` alone in its write, a pause,
   * what arrived discarded (up to three times while the board keeps printing), then `\r\x01`
   * and the raw banner. Retries for `totalMs`, then fails with advice.
   */
  takeControl(opts = {}) {
    return this.lock.run(async () => {
      const totalMs = opts.totalMs ?? 15e3;
      const attemptMs = opts.attemptMs ?? 2e3;
      const drainMs = opts.drainMs ?? 175;
      const deadline = Date.now() + totalMs;
      let seen = new Uint8Array(0);
      this.inRaw = false;
      for (let attempt = 1; Date.now() < deadline; attempt++) {
        if (opts.signal?.aborted) throw new BoardError("cancelled", "Stopped before taking control.");
        opts.onAttempt?.(attempt);
        for (let i = 0; i < 3; i++) {
          await this.link.write(CTRL_C);
          const got = await this.reader.drain(drainMs);
          if (got.length) seen = got;
          this.log(`ctrl-C ${i + 1}: ${got.length} bytes back`);
          if (!got.length || endsAtPrompt(got)) break;
        }
        await this.link.write("\r");
        try {
          await this.reader.readUntil(RAW_BANNER, {
            // A board at a prompt answers Ctrl-A at once; one that says nothing at all is busy
            // (booting, or a program that took no Ctrl-C yet): try again sooner.
            silenceMs: Math.min(600, attemptMs),
            totalMs: Math.max(50, Math.min(attemptMs, deadline - Date.now())),
            signal: opts.signal,
            what: "the raw REPL banner"
          });
          this.inRaw = true;
          this.log(`in the raw REPL after ${attempt} attempt(s)`);
          if (attempt > 1) await this.reader.drainQuiet(100, 600);
          break;
        } catch (err) {
          if (!(err instanceof BoardError) || err.kind !== "timeout") throw err;
          if (err.received?.length) seen = err.received;
          this.log(`attempt ${attempt}: no raw banner`);
        }
      }
      if (!this.inRaw) throw noAnswerError(this.link.label, seen);
      if (opts.softReset) await this.softResetLocked();
    });
  }
  /** Runs code and returns stdout and stderr apart (stderr non-empty means it raised). */
  exec(code, opts = {}) {
    return this.lock.run(() => this.execLocked(code, opts));
  }
  /** Like exec, but throws BoardExecError when the code raised; returns stdout as text. */
  async execOk(code, opts = {}) {
    const r = await this.exec(code, opts);
    if (r.stderr.length) throw new BoardExecError(r.stdoutText, r.stderrText);
    return r.stdoutText;
  }
  /**
   * Soft reset in the raw REPL (a clean heap; boot.py runs, main.py does not). Waits for the
   * raw banner, not for "soft reboot" (translated on some builds). Returns what the board
   * printed in between (boot.py output).
   */
  softReset(opts = {}) {
    return this.lock.run(() => this.softResetLocked(opts));
  }
  /**
   * Sends a program and streams its output with no deadline (the user stops it), until it
   * ends, the board resets under it, or `signal` fires. Management deadlines still apply to
   * sending the program.
   */
  run(code, opts) {
    return this.lock.run(async () => {
      await this.send(toUtf8(code), opts.signal);
      opts.onStarted?.();
      return this.followLocked(opts);
    });
  }
  /**
   * Keeps reading a program that is already running (the link came back while it ran): its
   * output until it ends, as `run` does after sending.
   */
  follow(opts) {
    return this.lock.run(async () => {
      opts.onStarted?.();
      return this.followLocked(opts);
    });
  }
  async followLocked(opts) {
    const watch = new BannerWatch();
    let reset = false;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    if (opts.signal?.aborted) ac.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    this.inRaw = false;
    try {
      await this.reader.stream(
        EOT,
        (chunk) => {
          opts.onStdout(chunk);
          if (watch.push(chunk)) {
            reset = true;
            ac.abort();
          }
        },
        { silenceMs: null, signal: ac.signal, what: "the program to end" }
      );
    } catch (err) {
      if (err instanceof BoardError && err.kind === "cancelled") {
        if (reset) {
          this.inRaw = watch.raw;
          this.reader.take();
          return { end: "reset", stderr: new Uint8Array(0), stderrText: "" };
        }
        return { end: "cancelled", stderr: new Uint8Array(0), stderrText: "" };
      }
      throw err;
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
    }
    const parts = [];
    await this.reader.stream(
      EOT,
      (chunk) => {
        parts.push(chunk);
        opts.onStderr?.(chunk);
      },
      { silenceMs: this.silenceMs, what: "the end of the error output" }
    );
    const tail = await this.reader.readUntil(">", { silenceMs: this.silenceMs, what: "the raw REPL prompt" });
    this.inRaw = true;
    const stderr = Buffer.concat(parts);
    if (tail.length > 1) {
      opts.onStdout(tail);
      if (Buffer.from(tail).indexOf(RAW_BANNER) >= 0) return { end: "reset", stderr, stderrText: decodeUtf8(stderr) };
    }
    return { end: "finished", stderr, stderrText: decodeUtf8(stderr) };
  }
  /** Ctrl-C, alone in its write: interrupts a running program. Not queued behind `run`. */
  async interrupt() {
    await this.link.write("");
  }
  /** Leaves the raw REPL for the friendly one (Ctrl-B). */
  exitRaw() {
    return this.lock.run(async () => {
      await this.link.write("\r");
      this.inRaw = false;
    });
  }
  // ---- inside a transaction ----
  async execLocked(code, opts) {
    const silenceMs = opts.silenceMs ?? this.silenceMs;
    await this.send(toUtf8(code), opts.signal, silenceMs);
    const out = [];
    const err = [];
    await this.reader.stream(EOT, (c2) => out.push(c2), { silenceMs, signal: opts.signal, what: "the output of the code" });
    await this.reader.stream(EOT, (c2) => err.push(c2), { silenceMs, signal: opts.signal, what: "the end of the error output" });
    await this.reader.readUntil(">", { silenceMs, what: "the raw REPL prompt" });
    const stdout = Buffer.concat(out);
    const stderr = Buffer.concat(err);
    return { stdout, stderr, stdoutText: decodeUtf8(stdout), stderrText: decodeUtf8(stderr) };
  }
  async softResetLocked(opts = {}) {
    this.requireRaw();
    const silenceMs = opts.silenceMs ?? this.silenceMs;
    this.discardIdle();
    await this.link.write("");
    const got = await this.reader.readUntil(RAW_BANNER, { silenceMs, what: "the raw REPL banner after a soft reset" });
    this.log(`soft reset: ${got.length} bytes`);
    let text = Buffer.from(got.subarray(0, got.length - RAW_BANNER.length));
    if (text.subarray(0, 2).toString("latin1") === "OK") text = text.subarray(2);
    return text;
  }
  /** Sends code at the raw prompt: raw-paste when the board has it, plain raw mode otherwise. */
  async send(code, signal, silenceMs = this.silenceMs) {
    this.requireRaw();
    this.discardIdle();
    if (this.rawPaste !== false) {
      await this.link.write("A");
      const reply = await this.reader.readExactly(2, { silenceMs, signal, what: "the answer to the raw-paste request" });
      if (reply[0] === 82 && reply[1] === 1) {
        this.rawPaste = true;
        const w = await this.reader.readExactly(2, { silenceMs, signal, what: "the raw-paste window size" });
        const window = w[0] | w[1] << 8;
        if (window === 0) throw new BoardError("protocol", "The board offered a raw-paste window of 0 bytes.");
        await this.pasteWrite(code, window, silenceMs, signal);
        return;
      }
      this.rawPaste = false;
      if (reply[0] === 82 && reply[1] === 0) {
        this.log("raw-paste: not supported (R\\x00); plain raw mode from now on");
        await this.reader.readUntil(">", { silenceMs, signal, what: "the raw REPL prompt" });
      } else {
        this.log("raw-paste: not understood; plain raw mode from now on");
        const rest = await this.reader.readUntil(RAW_BANNER_TAIL, { silenceMs, signal, what: "the raw REPL banner" });
        void rest;
      }
    }
    await this.plainWrite(code, silenceMs, signal);
  }
  async pasteWrite(code, window, silenceMs, signal) {
    let remain = window;
    let i = 0;
    while (i < code.length) {
      while (remain === 0 || this.reader.available > 0) {
        const b = (await this.reader.readExactly(1, { silenceMs, signal, what: "a raw-paste flow-control byte" }))[0];
        if (b === 1) {
          remain += window;
        } else if (b === EOT) {
          this.log(`raw-paste: board ended early at byte ${i}`);
          await this.link.write("");
          return;
        } else {
          throw new BoardError("protocol", `Unexpected byte 0x${b.toString(16).padStart(2, "0")} from the board during raw-paste.`);
        }
      }
      const n2 = Math.min(remain, code.length - i);
      await this.link.write(code.subarray(i, i + n2));
      remain -= n2;
      i += n2;
    }
    await this.link.write("");
    const ack = await this.reader.readUntil(new Uint8Array([EOT]), { silenceMs, signal, what: "the board to finish compiling" });
    for (let k = 0; k < ack.length - 1; k++) {
      if (ack[k] !== 1) {
        this.log(`raw-paste: ${ack.length - 1} unexpected bytes before the acknowledgement`);
        break;
      }
    }
  }
  async plainWrite(code, silenceMs, signal) {
    const chunk = this.opts.plainChunk ?? 256;
    const pause = this.opts.plainPauseMs ?? 10;
    for (let i = 0; i < code.length; i += chunk) {
      if (signal?.aborted) throw new BoardError("cancelled", "Stopped while sending code.");
      await this.link.write(code.subarray(i, Math.min(i + chunk, code.length)));
      await sleep(pause);
    }
    await this.link.write("");
    const ok = await this.reader.readExactly(2, { silenceMs, signal, what: "OK from the raw REPL" });
    if (ok[0] !== 79 || ok[1] !== 75) {
      throw new BoardError("protocol", `The board did not take the code (it answered ${JSON.stringify(Buffer.from(ok).toString("latin1"))}, not OK).`);
    }
  }
  requireRaw() {
    if (!this.inRaw) throw new BoardError("protocol", "Not in the raw REPL: take control of the board first.");
  }
  /** Bytes that arrived while nobody was reading (a timer printing at the prompt). */
  discardIdle() {
    const junk = this.reader.take();
    if (junk.length) this.log(`discarded ${junk.length} idle bytes`);
  }
};
function toUtf8(code) {
  return typeof code === "string" ? Buffer.from(code, "utf8") : code;
}
function endsAtPrompt(bytes) {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 8))).toString("latin1");
  return tail.endsWith(">>> ") || tail.endsWith(">") || tail.endsWith("=== ");
}
var BannerWatch = class {
  tail = "";
  raw = false;
  push(chunk) {
    const s = this.tail + Buffer.from(chunk).toString("latin1");
    if (s.includes(RAW_BANNER)) {
      this.raw = true;
      return true;
    }
    if (s.includes(FRIENDLY_BANNER_END) || ESP_ROM_RESET.test(s)) {
      this.raw = false;
      return true;
    }
    this.tail = s.slice(-64);
    return false;
  }
};

// src/main/board/serial/ports.ts
import { SerialPort } from "serialport";
var VIRTUAL_PORT = "virtual";
var KNOWN = [
  { vid: "2e8a", pid: "0005", name: "Raspberry Pi Pico (MicroPython)", kind: "board" },
  { vid: "2e8a", pid: "000a", name: "Raspberry Pi Pico (C SDK serial)", kind: "board" },
  { vid: "2e8a", pid: "0003", name: "Raspberry Pi RP2 boot (BOOTSEL)", kind: "board" },
  { vid: "2e8a", name: "Raspberry Pi board", kind: "board" },
  { vid: "303a", pid: "1001", name: "Espressif USB-serial/JTAG (ESP32-S3/C3/C6)", kind: "board" },
  { vid: "303a", pid: "4001", name: "Espressif ESP32-S2/S3 (TinyUSB)", kind: "board" },
  { vid: "303a", name: "Espressif board", kind: "board" },
  { vid: "239a", name: "Adafruit board", kind: "board" },
  { vid: "f055", pid: "9800", name: "MicroPython pyboard", kind: "board" },
  { vid: "f055", name: "MicroPython board", kind: "board" },
  { vid: "1209", pid: "adda", name: "MicroPython board (pid.codes)", kind: "board" },
  { vid: "10c4", pid: "ea60", name: "CP210x USB-UART bridge", kind: "usb-uart" },
  { vid: "1a86", pid: "7523", name: "CH340 USB-UART bridge", kind: "usb-uart" },
  { vid: "1a86", pid: "55d4", name: "CH9102 USB-UART bridge", kind: "usb-uart" },
  { vid: "1a86", pid: "55d3", name: "CH343 USB-UART bridge", kind: "usb-uart" },
  { vid: "1a86", name: "WCH USB-UART bridge", kind: "usb-uart" },
  { vid: "0403", pid: "6001", name: "FTDI FT232R USB-UART bridge", kind: "usb-uart" },
  { vid: "0403", pid: "6010", name: "FTDI FT2232 USB-UART bridge", kind: "usb-uart" },
  { vid: "0403", pid: "6014", name: "FTDI FT232H USB-UART bridge", kind: "usb-uart" },
  { vid: "0403", pid: "6015", name: "FTDI FT-X USB-UART bridge", kind: "usb-uart" },
  { vid: "0403", name: "FTDI USB-UART bridge", kind: "usb-uart" },
  { vid: "2341", name: "Arduino board", kind: "board" },
  { vid: "1366", name: "SEGGER J-Link (nRF board)", kind: "board" },
  { vid: "0d28", pid: "0204", name: "Arm DAPLink (micro:bit, nRF)", kind: "board" }
];
function normId(id) {
  if (id === void 0 || id === null || id === "") return null;
  if (typeof id === "number") return id.toString(16).padStart(4, "0");
  const s = id.trim().toLowerCase().replace(/^0x/, "");
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, "0") : null;
}
function knownUsbId(vendorId, productId) {
  if (!vendorId) return null;
  return KNOWN.find((k) => k.vid === vendorId && (!k.pid || k.pid === productId)) ?? null;
}
function describePort(p) {
  const vendorId = normId(p.vendorId);
  const productId = normId(p.productId);
  const known = knownUsbId(vendorId, productId);
  const manufacturer = p.manufacturer?.trim() || null;
  let friendlyName;
  let kind;
  if (known) {
    friendlyName = known.name;
    kind = known.kind;
  } else if (vendorId) {
    friendlyName = `${manufacturer ?? "USB serial device"} (${vendorId}:${productId ?? "????"})`;
    kind = "usb";
  } else {
    friendlyName = manufacturer ?? "Serial port";
    kind = "other";
  }
  return {
    path: p.path,
    friendlyName,
    kind,
    vendorId,
    productId,
    serialNumber: p.serialNumber?.trim() || null,
    manufacturer,
    known: known !== null
  };
}
var VIRTUAL_ENTRY = {
  path: VIRTUAL_PORT,
  friendlyName: "Virtual board (MicroPython in WebAssembly, no hardware)",
  kind: "virtual",
  vendorId: null,
  productId: null,
  serialNumber: null,
  manufacturer: "HeapScope",
  known: true
};
var RANK = { board: 0, "usb-uart": 1, usb: 2, other: 3, virtual: 4 };
function sortPorts(ports) {
  return ports.slice().sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.path.localeCompare(b.path, void 0, { numeric: true }));
}
async function listPorts(opts = {}) {
  let raw = [];
  try {
    raw = await (opts.source ?? (() => SerialPort.list()))();
  } catch {
    raw = [];
  }
  const ports = sortPorts(raw.map(describePort));
  if (opts.virtual !== false) ports.push(VIRTUAL_ENTRY);
  return ports;
}
function pickAutoPort(ports) {
  const real = ports.filter((p) => p.kind !== "virtual");
  const boards = real.filter((p) => p.kind === "board" || p.kind === "usb-uart");
  if (boards.length >= 1) return boards[0];
  const usb = real.filter((p) => p.kind === "usb");
  if (usb.length === 1) return usb[0];
  return null;
}
async function findPortBySerial(serialNumber, ids = {}, opts = {}) {
  const ports = await listPorts({ ...opts, virtual: false });
  return ports.find(
    (p) => p.serialNumber === serialNumber && (!ids.vendorId || p.vendorId === normId(ids.vendorId)) && (!ids.productId || p.productId === normId(ids.productId))
  ) ?? null;
}

// src/main/board/serial/serialLink.ts
import { closeSync as closeSync4, constants as constants2, openSync as openSync4 } from "node:fs";
import tty from "node:tty";
import { SerialPort as SerialPort2 } from "serialport";

// src/main/board/serial/link.ts
var LinkBase = class {
  dataListeners = [];
  closeListeners = [];
  closedInfo = null;
  get closed() {
    return this.closedInfo !== null;
  }
  onData(listener) {
    this.dataListeners.push(listener);
    return () => {
      this.dataListeners = this.dataListeners.filter((l) => l !== listener);
    };
  }
  onClose(listener) {
    if (this.closedInfo) {
      const info = this.closedInfo;
      queueMicrotask(() => listener(info));
      return () => {
      };
    }
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }
  emitData(chunk) {
    if (this.closedInfo || chunk.length === 0) return;
    for (const l of this.dataListeners.slice()) l(chunk);
  }
  emitClose(info) {
    if (this.closedInfo) return;
    this.closedInfo = info;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    this.dataListeners = [];
    for (const l of listeners) l(info);
  }
};
function toBytes(data) {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

// src/main/board/serial/serialLink.ts
function ownReader(path5) {
  if (process.platform === "win32" || process.env.HEAPSCOPE_SERIALPORT_READS) return null;
  let fd;
  try {
    fd = openSync4(path5, constants2.O_RDONLY | constants2.O_NOCTTY | constants2.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!tty.isatty(fd)) throw new Error("not a terminal");
    return new tty.ReadStream(fd);
  } catch {
    closeSync4(fd);
    return null;
  }
}
var SerialLink = class _SerialLink extends LinkBase {
  constructor(port2, path5) {
    super();
    this.port = port2;
    this.path = path5;
    this.label = path5;
    const onData = (chunk) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.reader = ownReader(path5);
    if (this.reader) {
      this.reader.on("data", onData);
      this.reader.on("error", (err) => this.lost(err));
      this.reader.on("end", () => this.lost(new Error("the port reached end of file")));
    } else port2.on("data", onData);
    port2.on("close", (err) => {
      this.emitClose({ disconnected: !this.closing || !!err?.disconnected, error: err ?? void 0 });
    });
    port2.on("end", () => this.lost(new Error("the port reached end of file")));
    port2.on("error", (err) => this.lost(err));
  }
  port;
  path;
  label;
  closing = false;
  /** Reads go through this when set; serialport only opened the port and writes. */
  reader;
  static async open(path5, opts = {}) {
    const port2 = new SerialPort2({ path: path5, baudRate: opts.baudRate ?? 115200, autoOpen: false });
    try {
      await new Promise((resolve, reject) => port2.open((err) => err ? reject(err) : resolve()));
    } catch (err) {
      throw describeOpenError(err, path5);
    }
    const link = new _SerialLink(port2, path5);
    await link.setLines(opts.dtr ?? true, opts.rts ?? true);
    return link;
  }
  /** Sets DTR and RTS in one call. Ports without modem lines (PTYs, some adapters) are fine. */
  async setLines(dtr, rts) {
    await new Promise(
      (resolve) => this.port.set({ dtr, rts }, () => {
        resolve();
      })
    );
  }
  write(data) {
    if (this.closed) return Promise.reject(new BoardError("disconnected", `${this.label} is closed.`));
    const bytes = toBytes(data);
    return new Promise((resolve, reject) => {
      this.port.write(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
        (err) => err ? reject(new BoardError("disconnected", `Could not write to ${this.label}: ${err.message}`)) : resolve()
      );
    });
  }
  async close() {
    if (this.closed) return;
    this.closing = true;
    this.reader?.destroy();
    if (!this.port.isOpen) {
      this.emitClose({ disconnected: false });
      return;
    }
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 2e3);
      this.port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.emitClose({ disconnected: false });
  }
  lost(err) {
    if (this.closed) return;
    this.reader?.destroy();
    if (this.port.isOpen && !this.closing) {
      this.port.close(() => {
      });
    }
    this.emitClose({ disconnected: !this.closing, error: err });
  }
};
function openSerialLink(path5, opts = {}) {
  return SerialLink.open(path5, opts);
}

// src/main/record/launcher.ts
var DUMP_MODE_WORDS = {
  timer: "a timer on the board",
  async: "an asyncio task in the program's event loop",
  calls: "the program's own mem_dump.dump() calls"
};
function startCall(opts) {
  const period = Math.max(1, Math.round(opts.periodMs));
  const collect = opts.collect ? 1 : 0;
  const mode = opts.dumps ?? "timer";
  return mode === "calls" ? `dump(${collect})` : mode === "async" ? `start_async(${period},${collect})` : `start_timer(${period},${collect})`;
}
function pyText(s) {
  return "'" + s.replace(/[\\'\x00-\x1f\x7f]/g, (c2) => c2 === "\\" ? "\\\\" : c2 === "'" ? "\\'" : "\\x" + c2.charCodeAt(0).toString(16).padStart(2, "0")) + "'";
}
function programSourceLoader(p) {
  return `_hs_src=${pyText(decodeUtf8(p.source))}
`;
}
function ramHelperLoader(source) {
  return [
    "import sys",
    `_hs_g={'__name__':'${HELPER_MODULE}'}`,
    `exec(${pyText(decodeUtf8(source))},_hs_g)`,
    `class ${HELPER_MODULE}:`,
    " pass",
    "for _hs_k in _hs_g:",
    " if _hs_k[:2]!='__':setattr(" + HELPER_MODULE + ",_hs_k,_hs_g[_hs_k])",
    `sys.modules['${HELPER_MODULE}']=${HELPER_MODULE}`,
    `del _hs_g,_hs_k,${HELPER_MODULE}`,
    ""
  ].join("\n");
}
function buildLauncher(opts) {
  const m = HELPER_MODULE;
  const p = opts.program;
  const lines = [`import ${m}`, `${m}.guard(1)`, `${m}.${startCall(opts)}`];
  if (p.kind === "file") {
    lines.push("try:", ` exec(compile(open(${pyStr(p.file)}).read(),${pyStr(p.file)},'exec'),{'__name__':'__main__'})`);
  } else if (p.kind === "source") {
    lines.push(`_hs_c=compile(_hs_src,${pyStr(p.name)},'exec')`, "del _hs_src", "try:", " exec(_hs_c,{'__name__':'__main__'})");
  } else {
    return Buffer.from(lines.join("\n") + "\n", "utf8");
  }
  lines.push("finally:", ` ${m}._end()`, "");
  return Buffer.from(lines.join("\n"), "utf8");
}

// src/main/record/dumpTracker.ts
var BEGIN = Buffer.from("@@HS:B");
var END = Buffer.from("@@HS:E");
var CARRY = BEGIN.length - 1;
var DumpTracker = class {
  inDump = false;
  ends = 0;
  carry = Buffer.alloc(0);
  reset() {
    this.inDump = false;
    this.carry = Buffer.alloc(0);
  }
  push(chunk) {
    const b = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let at = 0;
    for (; ; ) {
      const i = b.indexOf("@@HS:", at);
      if (i < 0 || i + BEGIN.length > b.length) break;
      if (b.compare(BEGIN, 0, BEGIN.length, i, i + BEGIN.length) === 0) this.inDump = true;
      else if (b.compare(END, 0, END.length, i, i + END.length) === 0) {
        this.inDump = false;
        this.ends++;
      }
      at = i + 1;
    }
    const keepFrom = Math.max(at, b.length - CARRY);
    this.carry = Buffer.from(b.subarray(keepFrom));
  }
};

// src/main/record/dumpCost.ts
var MARK = "@@HSCOST";
var DUMP_COST_CODE = `import gc,time
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
async function measureDumpCost(repl) {
  const t0 = performance.now();
  const out = await repl.execOk(DUMP_COST_CODE);
  const hostMs = performance.now() - t0;
  const at = out.lastIndexOf(MARK);
  if (at < 0) throw new Error("the board did not report the dump's time");
  const boardMs = Number(out.slice(at + MARK.length).trim());
  const dumpText = out.slice(0, at).replace(/\r?\n$/, "");
  return { bytes: Buffer.byteLength(dumpText, "utf8"), boardMs: Number.isFinite(boardMs) ? boardMs : NaN, hostMs: Math.round(hostMs) };
}
function describeDumpCost(c2, periodMs) {
  const kb = c2.bytes >= 1024 ? `${(c2.bytes / 1024).toFixed(1)} KB` : `${c2.bytes} bytes`;
  const tooSlow = c2.boardMs > periodMs;
  let text = `One dump measured on this board: ${kb}, ${c2.boardMs} ms to print on this link.`;
  if (tooSlow) text += ` That is longer than the period (${periodMs} ms): dumps will come about every ${c2.boardMs} ms at best, and the program runs only between them. Choose a longer period.`;
  return { text, tooSlow };
}

// src/main/record/recorder.ts
var HS_MARK = Buffer.from("@@HS:");
function startRecording(opts, hooks) {
  return new Recording(opts, hooks).handle();
}
var Recording = class {
  constructor(opts, hooks) {
    this.opts = opts;
    this.hooks = hooks;
    this.log = opts.log ?? (() => {
    });
    this.started = new Promise((res2, rej) => {
      this.startedResolve = res2;
      this.startedReject = rej;
    });
    this.started.catch(() => {
    });
  }
  opts;
  hooks;
  link = null;
  repl = null;
  portEntry = null;
  portPath = "";
  identity = null;
  placement = null;
  program = null;
  phaseNow = "opening";
  stopAsked = null;
  stopCtl = new AbortController();
  runCtl = null;
  running = false;
  bytes = 0;
  gaps = 0;
  relaunches = 0;
  programError = "";
  dumpMode = null;
  dumpCost = null;
  /** Where the board's output stands: inside a dump or between dumps. */
  dumpTrack = new DumpTracker();
  durationTimer = null;
  startedAt = Date.now();
  startedResolve;
  startedReject;
  started;
  done;
  log;
  handle() {
    this.done = this.main();
    const self = this;
    return {
      started: this.started,
      done: this.done,
      stop: () => this.stop("stopped"),
      get phase() {
        return self.phaseNow;
      }
    };
  }
  setPhase(phase, message, progress) {
    this.phaseNow = phase;
    this.hooks.phase?.(phase, message, progress);
  }
  emit(chunk) {
    if (!chunk.length) return;
    this.bytes += chunk.length;
    this.hooks.data(chunk, Date.now());
  }
  async stop(reason = "stopped") {
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
  async interruptRun() {
    const repl = this.repl;
    const giveUp = Date.now() + (this.opts.stopWaitMs ?? 6e3);
    let sent = 0;
    let endsAtSend = -1;
    let lastSend = 0;
    while (this.running && Date.now() < giveUp) {
      const t = this.dumpTrack;
      if (sent === 0 || t.ends > endsAtSend || !t.inDump && Date.now() - lastSend > 1500) {
        sent++;
        this.log(`stop: ctrl-C ${sent}${t.inDump ? " (a dump is printing)" : ""}, ${t.ends} dumps ended`);
        endsAtSend = t.ends;
        lastSend = Date.now();
        await repl.interrupt().catch(() => {
        });
      }
      await sleep(5);
    }
    if (this.running) {
      this.hooks.note?.("The program did not stop on Ctrl-C (it may have disabled it with micropython.kbd_intr(-1)); stopped listening.");
      this.runCtl?.abort();
    }
  }
  async main() {
    let endedBy = "stopped";
    let error;
    try {
      endedBy = await this.record();
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
      endedBy = this.stopAsked && isCancel(err) ? this.stopAsked : "failed";
      if (endedBy === "failed") this.startedReject(error);
      else error = void 0;
    }
    if (this.durationTimer) clearTimeout(this.durationTimer);
    await this.shutdown(endedBy);
    this.setPhase(endedBy === "failed" ? "failed" : "stopped", endedBy === "failed" ? error?.message ?? "failed" : endMessage(endedBy, this.programError));
    this.startedReject(error ?? new BoardError("cancelled", "Stopped before the recording began."));
    return {
      endedBy,
      programError: this.programError,
      bytes: this.bytes,
      gaps: this.gaps,
      relaunches: this.relaunches,
      identity: this.identity,
      dumps: this.dumpMode,
      dumpCost: this.dumpCost,
      helper: !this.placement ? "none" : this.placement.where === "ram" ? "ram" : this.placement.result.status === "written" ? "file-written" : "file-skipped",
      error,
      startedAt: this.startedAt,
      endedAt: Date.now()
    };
  }
  async record() {
    const { opts } = this;
    this.setPhase("opening", opts.port === VIRTUAL_PORT ? "Starting the virtual board\u2026" : `Opening ${opts.port}\u2026`);
    if (opts.run.kind === "script") {
      const source = opts.run.source ?? await readFile(opts.run.path);
      this.program = { kind: "source", source, name: path2.basename(opts.run.path) };
    } else if (opts.run.kind === "main") {
      this.program = { kind: "file", file: opts.run.file ?? "main.py" };
    }
    await this.open();
    if (opts.run.kind === "attach") return this.attachLoop();
    let resumeRunning = false;
    let needSetup = true;
    for (; ; ) {
      if (this.stopAsked) return this.stopAsked;
      try {
        if (!this.link) {
          const back = await this.reconnect();
          if (!back) return this.stopAsked ?? "board-lost";
          resumeRunning = back.programRunning;
          needSetup = !resumeRunning;
        }
        let result;
        if (resumeRunning) {
          resumeRunning = false;
          this.hooks.note?.("The program kept running while the link was away: recording goes on.");
          result = await this.follow();
        } else {
          if (needSetup) {
            await this.setup();
            needSetup = false;
          }
          if (this.stopAsked) return this.stopAsked;
          result = await this.launch();
        }
        if (result.end === "cancelled") return this.stopAsked ?? "stopped";
        if (result.end === "finished") {
          if (this.stopAsked) return this.stopAsked;
          this.programError = lastLine2(result.stderrText);
          await this.tail();
          return "program-ended";
        }
        if (this.stopAsked) return this.stopAsked;
        this.hooks.note?.("The board reset during the recording.");
        if (this.relaunches >= (opts.maxRelaunches ?? 5)) {
          this.hooks.note?.(`The board reset ${this.relaunches + 1} times; not starting the program again.`);
          return "board-lost";
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
  async open() {
    const { opts } = this;
    let port2 = opts.port;
    if (opts.openLink) {
      this.portPath = port2;
      this.attach(await opts.openLink(port2));
      return;
    }
    if (port2 === VIRTUAL_PORT) {
      if (!opts.openVirtual) throw new BoardError("open-failed", "The virtual board is not available here.");
      this.portPath = port2;
      this.attach(await opts.openVirtual());
      return;
    }
    const ports = await listPorts({ virtual: false });
    if (port2 === "auto") {
      const pick = pickAutoPort(ports);
      if (!pick) {
        throw new BoardError("not-found", "No board found.", "Plug one in (check that the cable carries data), pass --port PATH, or use --port virtual.");
      }
      port2 = pick.path;
      this.hooks.note?.(`Using ${pick.path} (${pick.friendlyName}).`);
    }
    this.portPath = port2;
    this.portEntry = ports.find((p) => p.path === port2) ?? null;
    this.attach(await openSerialLink(port2, { baudRate: opts.baudRate }));
  }
  attach(link) {
    this.link = link;
    this.repl = new RawRepl(link, { silenceMs: this.opts.silenceMs, noRawPaste: this.opts.noRawPaste, log: this.log });
    link.onClose((info) => {
      if (info.disconnected) this.log(`link closed: ${info.error?.message ?? "disconnected"}`);
    });
  }
  async setup() {
    const repl = this.repl;
    this.setPhase("takingControl", `Taking control of the board on ${this.link.label}\u2026`);
    await repl.takeControl({
      totalMs: this.opts.takeControlMs ?? 15e3,
      softReset: true,
      signal: this.stopCtl.signal,
      onAttempt: (n2) => n2 > 1 && this.setPhase("takingControl", `Taking control of the board (attempt ${n2})\u2026`)
    });
    if (!this.identity) {
      this.setPhase("identifying", "Asking the board what it is\u2026");
      const id = await identifyBoard(repl);
      this.identity = id;
      this.hooks.board?.(
        {
          name: id.impl === "micropython" ? "MicroPython" : id.impl === "circuitpython" ? "CircuitPython" : id.impl,
          version: id.version,
          platform: id.platform,
          machine: id.machine ?? void 0
        },
        id
      );
      this.hooks.note?.(describeIdentity(id));
      if (!id.hasMemInfo) this.hooks.note?.(statsOnlyNote(id));
      this.dumpMode = chooseDumpMode(id, this.opts.dumps ?? "auto", this.opts.run.kind === "attach");
      this.hooks.note?.(dumpModeNote(id, this.dumpMode, this.opts.periodMs));
      let tooSlow = false;
      try {
        this.dumpCost = await measureDumpCost(repl);
        const d = describeDumpCost(this.dumpCost, this.opts.periodMs);
        tooSlow = d.tooSlow && this.dumpMode !== "calls";
        this.hooks.note?.(this.dumpMode === "calls" ? d.text.replace(/ That is longer.*/, "") : d.text);
      } catch (err) {
        if (isDisconnect(err) || isCancel(err)) throw err;
        this.log(`dump cost: ${err.message}`);
      }
      this.hooks.dumping?.({ mode: this.dumpMode, cost: this.dumpCost, tooSlow, limits: id.hasMemInfo ? null : statsOnlyNote(id) });
    }
    this.setPhase("installingHelper", "Putting the helper on the board\u2026");
    this.placement = await installHelper(repl, this.identity, {
      source: this.opts.helperSource,
      fromRam: this.opts.helperFromRam,
      onProgress: (done, total) => this.setPhase("installingHelper", `Uploading the helper (${(done / 1024).toFixed(1)} of ${(total / 1024).toFixed(1)} KB)\u2026`, { done, total })
    });
    this.hooks.note?.(placementNote(this.placement, this.program));
    if (this.program?.kind === "file" && this.opts.run.kind === "main" && !this.opts.run.file) {
      this.program = { kind: "file", file: await boardProgram(repl, this.identity) };
    }
    if (this.program?.kind === "file") {
      const { size } = await remoteFileInfo(repl, this.program.file, false);
      if (size < 0) {
        throw new BoardError(
          "not-found",
          `There is no ${this.program.file} on the board.`,
          "Put your program on the board, pass --run with its name, or send one from this computer with --script FILE."
        );
      }
    }
  }
  async launch() {
    const repl = this.repl;
    this.setPhase("starting", "Starting the program\u2026");
    await repl.softReset();
    if (this.placement?.where === "ram") await repl.execOk(ramHelperLoader(this.placement.source));
    if (this.program?.kind === "source") await repl.execOk(programSourceLoader(this.program));
    const code = buildLauncher({
      program: this.program,
      periodMs: this.opts.periodMs,
      collect: this.opts.collect,
      dumps: this.dumpMode ?? "timer"
    });
    return this.streamRun((o) => repl.run(code, o));
  }
  /** The link came back while the program kept running: keep reading its output. */
  follow() {
    const repl = this.repl;
    return this.streamRun((o) => repl.follow(o));
  }
  async streamRun(go) {
    this.runCtl = new AbortController();
    this.running = true;
    let lastFrame = 0;
    let warned = false;
    const quietMs = Math.max(10 * this.opts.periodMs, 1e4);
    const watch = setInterval(() => {
      if (lastFrame && !warned && Date.now() - lastFrame > quietMs) {
        warned = true;
        this.hooks.note?.(`No dumps for ${Math.round((Date.now() - lastFrame) / 1e3)} s: the board may have reset, or the program stopped the helper.`);
      }
    }, 1e3);
    this.dumpTrack.reset();
    const onChunk = (c2) => {
      this.dumpTrack.push(c2);
      if (Buffer.from(c2.buffer, c2.byteOffset, c2.length).indexOf(HS_MARK) >= 0) {
        lastFrame = Date.now();
        warned = false;
      }
      this.emit(c2);
    };
    try {
      return await go({
        onStdout: onChunk,
        onStderr: (c2) => this.emit(c2),
        onStarted: () => this.recordingBegan(),
        signal: this.runCtl.signal
      });
    } finally {
      clearInterval(watch);
      this.running = false;
    }
  }
  recordingBegan() {
    this.setPhase("recording", this.recordingMessage());
    this.startedResolve();
    if (this.opts.durationMs && !this.durationTimer) {
      this.durationTimer = setTimeout(() => void this.stop("duration"), this.opts.durationMs);
    }
    if (this.stopAsked) void this.interruptRun();
  }
  recordingMessage() {
    const what = this.opts.run.kind === "attach" ? "listening" : this.program?.kind === "source" ? `running ${this.program.name} from RAM` : `running ${this.program?.kind === "file" ? this.program.file : "the program"}`;
    if (this.opts.run.kind === "attach") return `Recording (${what}).`;
    const every = this.dumpMode === "calls" ? "dumps where the program calls mem_dump.dump()" : `a dump every ${this.opts.periodMs} ms from ${DUMP_MODE_WORDS[this.dumpMode ?? "timer"]}`;
    return `Recording (${what}, ${every}${this.opts.collect ? ", after gc.collect()" : ""}).`;
  }
  /** After the program ended: the last dumps the timer prints at the prompt. */
  async tail() {
    const reader = this.repl.reader;
    await sleep(this.opts.tailMs ?? 300);
    this.emit(reader.take());
  }
  async attachLoop() {
    for (; ; ) {
      if (this.stopAsked) return this.stopAsked;
      if (!this.link) {
        const back = await this.reconnect(true);
        if (!back) return this.stopAsked ?? "board-lost";
      }
      const link = this.link;
      const reader = this.repl.reader;
      this.emit(reader.take());
      reader.onIdleData = (c2) => {
        this.emit(c2);
        return true;
      };
      this.recordingBegan();
      const closed = new Promise((resolve) => link.onClose(() => resolve()));
      const stopped = new Promise((resolve) => this.stopCtl.signal.addEventListener("abort", () => resolve(), { once: true }));
      await Promise.race([closed, stopped]);
      reader.onIdleData = null;
      if (this.stopAsked) return this.stopAsked;
      await this.linkLost(new BoardError("disconnected", `${link.label} disconnected.`));
    }
  }
  gapStart = null;
  gapReason = "";
  async linkLost(err) {
    this.gapStart = Date.now();
    this.gapReason = `link lost: ${err instanceof Error ? err.message : String(err)}`;
    this.gaps++;
    this.hooks.note?.(`The board went away (${this.link?.label ?? this.portPath}); waiting for it to come back\u2026`);
    this.setPhase("reconnecting", "The board went away; waiting for it to come back\u2026");
    this.repl?.dispose();
    await this.link?.close().catch(() => {
    });
    this.link = null;
    this.repl = null;
  }
  /** Waits for the board to come back. Returns null when stopped or given up. */
  async reconnect(attach = false) {
    const every = this.opts.reconnectEveryMs ?? 500;
    const until = this.opts.reconnectForMs ? Date.now() + this.opts.reconnectForMs : Infinity;
    while (!this.stopAsked && Date.now() < until) {
      let link = null;
      try {
        link = await this.reopenOnce();
      } catch (err) {
        this.log(`reopen: ${err.message}`);
      }
      if (link) {
        this.attach(link);
        const start = this.gapStart ?? Date.now();
        this.hooks.gap?.(this.gapReason || "link lost", start, Date.now());
        this.gapStart = null;
        this.hooks.note?.(`The board is back on ${link.label}.`);
        if (attach) return { programRunning: true };
        const heard = await this.listen(Math.max(1e3, Math.min(this.opts.periodMs * 2 + 500, 5e3)));
        this.emit(heard);
        return { programRunning: Buffer.from(heard).indexOf(HS_MARK) >= 0 };
      }
      await Promise.race([sleep(every), new Promise((r) => this.stopCtl.signal.addEventListener("abort", r, { once: true }))]);
    }
    if (this.gapStart !== null) {
      this.hooks.gap?.(this.gapReason || "link lost", this.gapStart, null);
      this.gapStart = null;
    }
    return null;
  }
  async listen(ms) {
    const reader = this.repl.reader;
    const parts = [];
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
  async reopenOnce() {
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
  async shutdown(endedBy) {
    const link = this.link;
    const repl = this.repl;
    if (!link || !repl || link.closed) {
      await link?.close().catch(() => {
      });
      return;
    }
    if (this.opts.run.kind !== "attach" && this.identity) {
      this.setPhase("stopping", "Stopping: soft-resetting the board\u2026");
      this.emit(repl.reader.take());
      try {
        if (repl.inRawRepl) {
          await repl.softReset({ silenceMs: 3e3 });
        } else {
          await repl.takeControl({ totalMs: 4e3, attemptMs: 1500, drainMs: 120, softReset: true });
        }
      } catch (err) {
        this.hooks.note?.(`Could not reset the board after stopping: ${err.message}`);
      }
    }
    repl.dispose();
    await link.close().catch(() => {
    });
    void endedBy;
  }
};
function endMessage(endedBy, programError) {
  switch (endedBy) {
    case "program-ended":
      return programError ? `The program ended: ${programError}` : "The program ended.";
    case "duration":
      return "Recorded for the time asked.";
    case "board-lost":
      return "The board went away and did not come back.";
    default:
      return "Stopped.";
  }
}
function lastLine2(text) {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1]?.trim() ?? "";
}
function isCancel(err) {
  return err instanceof BoardError && err.kind === "cancelled";
}
function isDisconnect(err) {
  return err instanceof BoardError && err.kind === "disconnected";
}
function chooseDumpMode(id, want, attach) {
  if (attach) return null;
  const timer = id.hasTimer && id.hasSchedule;
  if (want === "timer" && !timer) {
    throw new BoardError("unsupported", `This firmware has no ${!id.hasTimer ? "machine.Timer" : "micropython.schedule"}: it cannot dump on a timer.`, id.hasAsyncio ? "Use --dumps asyncio (a task in the program's event loop) or --dumps calls." : "Use --dumps calls: the program calls mem_dump.dump() where it wants a dump.");
  }
  if (want === "async" && !id.hasAsyncio) {
    throw new BoardError("unsupported", "This firmware has no asyncio: the helper cannot dump from an asyncio task.", timer ? "Use --dumps timer." : "Use --dumps calls: the program calls mem_dump.dump() where it wants a dump.");
  }
  if (want !== "auto") return want;
  return timer ? "timer" : id.hasAsyncio ? "async" : "calls";
}
function dumpModeNote(id, mode, periodMs) {
  if (mode === null) return "Attached: dumps come only as the board prints them.";
  const noTimer = !(id.hasTimer && id.hasSchedule) ? `This firmware has no ${!id.hasTimer ? "machine.Timer" : "micropython.schedule"}: d` : "D";
  switch (mode) {
    case "timer":
      return `Dumps come every ${periodMs} ms from a timer on the board.`;
    case "async":
      return `${noTimer}umps come every ${periodMs} ms from an asyncio task in the program's event loop (a program that runs no asyncio loop gets the first dump and its own mem_dump.dump() calls only).`;
    case "calls":
      return `${noTimer}umps come once at the start, then only where the program calls mem_dump.dump() (import mem_dump works, also with the helper in RAM).`;
  }
}
function placementNote(p, program) {
  const prog = program?.kind === "source" ? ` ${program.name} is sent from RAM, not written.` : "";
  if (p.where === "ram") return `Nothing is written to the board: the helper runs from RAM (${p.reason}).${prog}`;
  const kb = (p.result.bytes / 1024).toFixed(1);
  if (p.result.status === "written") return `Wrote ${HELPER_FILE} (${kb} KB, HeapScope's helper) to the board's filesystem; it stays there, and nothing else is written.${prog}`;
  return `${HELPER_FILE} is already on the board, unchanged: nothing is written.${prog}`;
}
async function boardProgram(repl, id) {
  if (id.impl !== "circuitpython") return "main.py";
  for (const name of ["code.txt", "code.py", "main.txt", "main.py"]) {
    if ((await remoteFileInfo(repl, name, false)).size >= 0) return name;
  }
  return "code.py";
}
function statsOnlyNote(id) {
  const who = id.impl === "circuitpython" ? "CircuitPython has" : "This firmware has";
  return `${who} no micropython.mem_info: each dump is the heap's totals only, gc.mem_alloc() and gc.mem_free(). The timeline shows used and free bytes and their change from dump to dump; there is no heap map, so no blocks, object types, fragmentation or largest free run.`;
}

// src/main/record/toSession.ts
var BATCH_MS = 100;
function recordToSession(opts, hooks = {}) {
  const counts = { bytes: 0, snapshots: 0, logLines: 0, memoryErrors: 0, lastMemoryError: null };
  let writer = null;
  let writeError = null;
  let board = null;
  const pendingGaps = [];
  let batch = [];
  let batchTimer = null;
  const count = (events) => {
    for (const ev of events) {
      if (ev.type === "snapshot") counts.snapshots++;
      else if (ev.type === "log") counts.logLines++;
      else if (ev.type === "device" && ev.kind === "memoryError") {
        counts.memoryErrors++;
        counts.lastMemoryError = ev.text;
      }
    }
    hooks.events?.(events, counts);
  };
  const ensureWriter = () => {
    if (!writer) {
      writer = new HeldWriter((held) => SessionWriter.create(opts.sessionPath, {
        title: `Recording of ${opts.port}`,
        source: opts.port === "virtual" ? "virtual" : `serial:${opts.port}`,
        port: opts.port,
        run: opts.run.kind === "script" ? { kind: "script", path: opts.run.path } : opts.run,
        periodMs: opts.periodMs,
        collect: opts.collect,
        board,
        ...opts.meta
      }, { onError: (e) => writeError = e, ...held }), {
        blocked: (err) => hooks.warn?.(`${err.message}: the board's output is kept in memory (up to ${formatBytes(opts.hold?.maxHeldBytes ?? 64 << 20)}) and written as soon as there is room; free some space, or stop the recording`),
        resumed: (written, dropped) => hooks.warn?.(`${opts.sessionPath}: there is room again; ${formatBytes(written)} held in memory were written` + (dropped ? `, ${formatBytes(dropped)} had to be dropped (a gap in the session marks where)` : "")),
        events: count
      }, opts.hold);
      for (const g of pendingGaps.splice(0)) writer.addGap(...g);
    }
    return writer;
  };
  const recHooks = {
    phase: (p, m, pr) => {
      if (p === "recording") ensureWriter();
      hooks.phase?.(p, m, pr);
    },
    note: (m) => hooks.note?.(m),
    board: (info) => {
      board = info;
    },
    data: (chunk, hostMs) => {
      if (writeError) return;
      batch.push([chunk, hostMs]);
      batchTimer ??= setTimeout(drain, BATCH_MS);
    },
    gap: (reason, start, end) => {
      drain();
      if (writer) writer.addGap(reason, start, end);
      else pendingGaps.push([reason, start, end]);
    }
  };
  function drain() {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = null;
    const chunks = batch;
    batch = [];
    for (const [chunk, hostMs] of chunks) {
      if (writeError) return;
      try {
        const events = ensureWriter().append(chunk, hostMs);
        counts.bytes += chunk.length;
        count(events);
      } catch (err) {
        writeError = err;
        hooks.note?.(`Could not write the session: ${err.message}`);
        void handle.stop();
      }
    }
  }
  const handle = startRecording(opts, recHooks);
  const finish = async () => {
    const summary = await handle.done;
    drain();
    let session = null;
    const w = writer;
    if (w && !w.writer.closed) {
      try {
        const last = w.end();
        for (const ev of last) if (ev.type === "snapshot") counts.snapshots++;
        session = w.close();
        if (w.lostBytes > 0) hooks.warn?.(`${opts.sessionPath}: ${formatBytes(w.lostBytes)} of the board's output were lost while the disk was full (a gap in the session marks where)`);
      } catch (err) {
        writeError ??= err;
      }
    }
    if (writeError && !summary.error) {
      summary.error = writeError;
      summary.endedBy = "failed";
    }
    return { summary, session, counts };
  };
  const done = finish();
  return {
    started: handle.started,
    done,
    stop: async () => {
      await handle.stop();
      return done;
    },
    counts
  };
}

// bench/recordAttach.ts
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync as openSync5, readFileSync as readFileSync4, readSync, closeSync as closeSync5, rmSync as rmSync2, statSync as statSync2, existsSync as existsSync2 } from "node:fs";
import path3 from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";
import { SerialPort as SerialPort3 } from "serialport";
var root = path3.join(path3.dirname(fileURLToPath2(import.meta.url)), "..");
var RATE2 = 1e6;
var PACER = `
import os, pty, sys, time, tty
port, capture, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
m, s = pty.openpty()
tty.setraw(s)
os.set_blocking(m, False)
os.symlink(os.ttyname(s), port)
data = open(capture, 'rb').read()
at = sent = 0
t0 = time.time()
while time.time() - t0 < seconds:
    due = int((time.time() - t0) * rate)
    while sent < due:
        n = min(due - sent, len(data) - at, 65536)
        try:
            k = os.write(m, data[at:at + n])
        except BlockingIOError:
            break
        sent += k
        at = (at + k) % len(data)
    time.sleep(0.01)
`;
async function stream(dir2, capture, seconds) {
  const port2 = path3.join(dir2, `pty-${++streams}`);
  const proc = spawn("python3", ["-c", PACER, port2, capture, String(RATE2), String(seconds)], { stdio: "ignore" });
  const exited = new Promise((r) => proc.once("exit", () => r()));
  for (let i = 0; i < 100 && !existsSync2(port2); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync2(port2)) throw new Error("the pacer made no PTY (is python3 installed?)");
  return {
    port: port2,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
      await exited;
    }
  };
}
var streams = 0;

// bench/profileAttach.ts
var dir = mkdtempSync2(path4.join(os.tmpdir(), "heapscope-prof-"));
var { port, stop } = await stream(dir, "/work/h-codec6/bench/data/pimst-40mb.txt", 14);
var c0 = process.cpuUsage();
var h = recordToSession({ port, run: { kind: "attach" }, periodMs: 350, collect: false, durationMs: 12e3, sessionPath: path4.join(dir, "s.hss") });
var res = await h.done;
var c = process.cpuUsage(c0);
console.log("bytes", res.counts.bytes, "snapshots", res.counts.snapshots, "cpu ms", (c.user + c.system) / 1e3, "ms/MB", (c.user + c.system) / 1e3 / (res.counts.bytes / 1e6));
await stop();
