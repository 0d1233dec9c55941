/** Where HeapScope keeps its files, and the recent-sessions list. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { RecentSession } from '../../shared/api';

/** The per-user data folder: sessions/ and recent.json live here. HEAPSCOPE_HOME overrides it. */
export function defaultDataDir(): string {
  if (process.env.HEAPSCOPE_HOME) return process.env.HEAPSCOPE_HOME;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'HeapScope');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'HeapScope');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'heapscope');
}

const MAX_RECENT = 20;

export class RecentList {
  private cache: { path: string; openedAt: number }[] | null = null;
  constructor(private readonly file: string) {}

  private async load(): Promise<{ path: string; openedAt: number }[]> {
    if (this.cache) return this.cache;
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      this.cache = Array.isArray(data)
        ? data.filter(
            (d): d is { path: string; openedAt: number } =>
              !!d && typeof d.path === 'string' && typeof d.openedAt === 'number',
          )
        : [];
    } catch {
      this.cache = [];
    }
    return this.cache;
  }

  async add(path: string, when = Date.now()): Promise<void> {
    const list = (await this.load()).filter((r) => r.path !== path);
    list.unshift({ path, openedAt: when });
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
    return (await this.load()).map((r) => ({ path: r.path, name: basename(r.path), openedAt: r.openedAt, exists: existsSync(r.path) }));
  }
}
