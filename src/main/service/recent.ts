/** Where HeapScope keeps its files, and the recent-sessions list. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { RecentSession, SessionSummary } from '../../shared/api';

/** The per-user data folder: sessions/ and recent.json live here. HEAPSCOPE_HOME overrides it. */
export function defaultDataDir(): string {
  if (process.env.HEAPSCOPE_HOME) return process.env.HEAPSCOPE_HOME;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'HeapScope');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'HeapScope');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'heapscope');
}

const MAX_RECENT = 20;

interface Entry {
  path: string;
  openedAt: number;
  summary?: SessionSummary;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptStr = (v: unknown) => v === undefined || (typeof v === 'string' && v.length <= 200);

/** recent.json is a file anyone can edit: a summary that is not the right shape is dropped, not shown. */
function validSummary(v: unknown): SessionSummary | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const s = v as Record<string, unknown>;
  if (s.source !== 'recording' && s.source !== 'import') return undefined;
  if (!isOptStr(s.board) || !isOptStr(s.program)) return undefined;
  if (!(s.durationMs === null || (isNum(s.durationMs) && s.durationMs >= 0))) return undefined;
  if (!isNum(s.frames) || s.frames < 0 || !Number.isInteger(s.frames)) return undefined;
  const m = s.memoryError as Record<string, unknown> | null | undefined;
  if (!(m === null || (m && typeof m === 'object' && (m.bytes === null || (isNum(m.bytes) && m.bytes > 0))))) return undefined;
  const out: SessionSummary = { source: s.source, durationMs: s.durationMs as number | null, frames: s.frames, memoryError: m ? { bytes: m.bytes as number | null } : null };
  if (typeof s.board === 'string') out.board = s.board;
  if (typeof s.program === 'string') out.program = s.program;
  return out;
}

export class RecentList {
  private cache: Entry[] | null = null;
  constructor(private readonly file: string) {}

  private async load(): Promise<Entry[]> {
    if (this.cache) return this.cache;
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      this.cache = Array.isArray(data)
        ? data.flatMap((d): Entry[] => {
            if (!d || typeof d.path !== 'string' || typeof d.openedAt !== 'number') return [];
            const summary = validSummary(d.summary);
            return [summary ? { path: d.path, openedAt: d.openedAt, summary } : { path: d.path, openedAt: d.openedAt }];
          })
        : [];
    } catch {
      this.cache = [];
    }
    return this.cache;
  }

  /**
   * Puts `path` first. `summary` is what the session holds now; without one the last known is kept.
   * `memoryErrorKnown` false: the summary was made before the session's events were walked, so
   * a MemoryError noted last time (with the same frame count) is kept.
   */
  async add(path: string, summary?: SessionSummary, when = Date.now(), memoryErrorKnown = true): Promise<void> {
    const all = await this.load();
    const prior = all.find((r) => r.path === path)?.summary;
    let known = summary ?? prior;
    if (summary && !memoryErrorKnown && !summary.memoryError && prior?.memoryError && prior.frames === summary.frames) {
      known = { ...summary, memoryError: prior.memoryError };
    }
    const list = all.filter((r) => r.path !== path);
    list.unshift(known ? { path, openedAt: when, summary: known } : { path, openedAt: when });
    this.cache = list.slice(0, MAX_RECENT);
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(this.cache, null, 1));
      await rename(tmp, this.file);
    } catch {
      // A recent list that cannot be saved is not worth an error.
    }
  }

  async list(): Promise<RecentSession[]> {
    return (await this.load()).map((r) => ({
      path: r.path,
      name: basename(r.path),
      openedAt: r.openedAt,
      exists: existsSync(r.path),
      ...(r.summary ? { summary: r.summary } : {}),
    }));
  }
}
