// Entry of the virtual board's worker thread when running from the TypeScript sources:
// register tsx in this thread, then load the worker. (A build ships a compiled worker.js.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
