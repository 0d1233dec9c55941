// Worker entry: load the TypeScript worker through tsx (worker threads do not inherit vitest's
// transform).
import { tsImport } from 'tsx/esm/api';

await tsImport('./boardWorker.ts', import.meta.url);
