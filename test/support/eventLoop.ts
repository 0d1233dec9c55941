/**
 * What the event loop did while a call ran: how often it turned (setImmediate) and the longest
 * stretch without a turn, which is what a live dump's push or any other call would wait.
 */
export async function turnsDuring<T>(call: () => Promise<T>): Promise<{ result: T; turns: number; longest: number; took: number }> {
  let turns = 0;
  let done = false;
  let last = performance.now();
  let longest = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    turns++;
    if (!done) setImmediate(tick);
  };
  const t0 = performance.now();
  setImmediate(tick);
  try {
    const result = await call();
    return { result, turns, longest, took: performance.now() - t0 };
  } finally {
    done = true;
  }
}
