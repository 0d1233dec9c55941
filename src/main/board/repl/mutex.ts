/** One transaction at a time: `run` queues work behind whatever runs now. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  /** True while a transaction runs or waits. */
  get busy(): boolean {
    return this.depth > 0;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(fn, fn);
    this.tail = result.then(
      () => this.depth--,
      () => this.depth--,
    );
    return result;
  }
}
