#!/usr/bin/env node
// The CLI runs straight from the TypeScript sources through tsx, so `npx heapscope`
// works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
