// The npm package ships JavaScript only; this is the part of its API HeapScope uses.
declare module '@micropython/micropython-webassembly-pyscript' {
  export interface MicroPythonInstance {
    runPython(code: string): unknown;
    runPythonAsync(code: string): Promise<unknown>;
    registerJsModule(name: string, module: object): void;
    pyimport(name: string): unknown;
    replInit(): void;
    replProcessChar(chr: number): number;
    replProcessCharWithAsyncify?(chr: number): Promise<number>;
    FS: {
      writeFile(path: string, data: string | Uint8Array): void;
      readFile(path: string, opts?: { encoding?: 'utf8' | 'binary' }): Uint8Array | string;
      readdir(path: string): string[];
      unlink(path: string): void;
      mkdir(path: string): void;
      rename(from: string, to: string): void;
      stat(path: string): { size: number; mode: number };
      analyzePath(path: string): { exists: boolean };
      isDir(mode: number): boolean;
    };
    _module: Record<string, any>;
    globals: unknown;
  }
  export interface LoadOptions {
    heapsize?: number;
    pystack?: number;
    linebuffer?: boolean;
    url?: string;
    stdin?: () => string | null;
    stdout?: (data: string | Uint8Array) => void;
    stderr?: (data: string | Uint8Array) => void;
  }
  export function loadMicroPython(options?: LoadOptions): Promise<MicroPythonInstance>;
}
