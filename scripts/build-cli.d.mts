/** Builds the CLI into `outDir` (default out/cli); returns the folder, or null without esbuild. */
export function buildCli(outDir?: string): Promise<string | null>;
export function setup(): Promise<void>;
export const EXTERNAL: string[];
