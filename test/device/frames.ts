/** Checks of the helper's frames (docs/helper-frames.md) in console output. */

export interface Frames {
  hello: { period: number; mode: string; collect: number; impl: string }[];
  /** B/S/K frames in order, with their seq and ticks. */
  frames: { kind: 'B' | 'S' | 'K'; seq: number; ms: number; rest: string[] }[];
  /** Text of each B…E dump (between the markers). */
  dumps: string[];
  problems: string[];
}

const MAP_LINE = /^([0-9a-f]{8}: [.=hTLDSABMFm]{1,64}| {7}\(\d+ lines all free\)|stack: \d+ out of \d+|GC: total: \d+, used: \d+, free: \d+| No\. of 1-blocks: \d+, 2-blocks: \d+, max blk sz: \d+, max free sz: \d+|GC memory layout; from [0-9a-f]+:)$/;

export function parseFrames(text: string): Frames {
  const out: Frames = { hello: [], frames: [], dumps: [], problems: [] };
  if (text.includes('\x04')) out.problems.push('\\x04 in output');
  if (/[^\r]\n/.test(text)) out.problems.push('a line ends without \\r');
  const lines = text.split('\r\n');
  let open: { seq: number; body: string[] } | null = null;
  for (const raw of lines) {
    const at = raw.indexOf('@@HS:');
    const line = at >= 0 ? raw.slice(at) : raw;
    if (open) {
      const e = /^@@HS:E (\d+)$/.exec(line);
      if (e) {
        if (Number(e[1]) !== open.seq) out.problems.push(`E ${e[1]} closes B ${open.seq}`);
        out.dumps.push(open.body.join('\n'));
        open = null;
      } else if (at >= 0) out.problems.push(`frame inside a dump: ${line}`);
      else if (!MAP_LINE.test(line)) out.problems.push(`not mem_info output inside a dump: ${JSON.stringify(line)}`);
      else open.body.push(line);
      continue;
    }
    if (at < 0) continue;
    let m: RegExpExecArray | null;
    if ((m = /^@@HS:H 1 (\d+) (timer|async|manual) ([01]) (\S+)$/.exec(line))) {
      out.hello.push({ period: Number(m[1]), mode: m[2], collect: Number(m[3]), impl: m[4] });
    } else if ((m = /^@@HS:B (\d+) (\d+) ([01])$/.exec(line))) {
      out.frames.push({ kind: 'B', seq: Number(m[1]), ms: Number(m[2]), rest: [m[3]] });
      open = { seq: Number(m[1]), body: [] };
    } else if ((m = /^@@HS:S (\d+) (\d+) ([01]) (\d+) (\d+)$/.exec(line))) {
      out.frames.push({ kind: 'S', seq: Number(m[1]), ms: Number(m[2]), rest: [m[3], m[4], m[5]] });
    } else if ((m = /^@@HS:K (\d+) (\d+) (.*)$/.exec(line))) {
      out.frames.push({ kind: 'K', seq: Number(m[1]), ms: Number(m[2]), rest: [m[3]] });
    } else out.problems.push(`malformed frame: ${JSON.stringify(line)}`);
  }
  if (open) out.problems.push(`dump ${open.seq} never ended`);
  out.frames.forEach((f, i) => {
    if (i > 0 && f.seq !== out.frames[i - 1].seq + 1) out.problems.push(`seq ${out.frames[i - 1].seq} then ${f.seq}`);
    if (i > 0 && f.ms < out.frames[i - 1].ms) out.problems.push(`ticks went back at seq ${f.seq}`);
  });
  return out;
}
