/** The page's `window.__heapscope` probe (src/renderer/probe.ts), from the tests' side. */
import type { Page } from 'playwright-core';

export type Probe = {
  frame(): number;
  frames(): number;
  busy(): boolean;
  shownIndex(): number | null;
  drawCount(): number;
  events(): Array<{ kind: string; snapshot: number; bytes?: number }>;
};

/** Runs `fn` on the probe in the page (it is sent as source: no closures). */
export async function probe<T>(page: Page, fn: (p: Probe) => T): Promise<T> {
  return page.evaluate(`(${fn.toString()})(window.__heapscope)`) as Promise<T>;
}

export async function waitFor(page: Page, what: string, cond: (p: Probe) => boolean, timeout = 30000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await probe(page, cond)) return;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}
