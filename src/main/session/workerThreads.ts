/**
 * What the session's second threads (an import's raw coder, a pass's decoder ahead) share: where
 * their compiled entry is, and whether the machine has a core for one now.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker `name` (e.g. 'followWorker.js') beside this module in out/cli, or null when
 * absent: from the TypeScript sources there is none, and the work stays in the calling thread.
 */
export function builtWorker(name: string): URL | null {
  try {
    const url = new URL(`./${name}`, import.meta.url);
    return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/**
 * A core the machine's other work leaves idle (load average below cores − 1). With none, two
 * threads only share one core and cost more CPU (measured: 0.3-0.5 s more on the 40 MB bench
 * capture's import at a load of 6 on 2 cores, and no faster).
 */
export function idleCore(): boolean {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 && os.loadavg()[0] < cores - 1;
}
