/**
 * What a test's process holds: heap and array buffers after collecting the garbage (the memory
 * tests compare it before and after some work, so that what they bound is what stays, not peaks).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function held(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
