export { VirtualBoard, DEMO_NAMES, DEFAULT_HEAP_BYTES, MIN_HEAP_BYTES, MAX_HEAP_BYTES, readDemo } from './virtualBoard';
export type { DemoName, VirtualBoardOptions, VirtualBoardEvents } from './virtualBoard';
export { serveVirtualBoardOnPath } from './serve';
export type { ServeOptions, VirtualBoardServer } from './serve';
export { openPtyPair, PtyPairError } from './ptyPair';
export type { PtyPair, PtyPairOptions } from './ptyPair';
export { VirtualBoardLink, openVirtualBoardLink } from './link';
export { setVirtualBoardWorker } from './workerBundle';
export { RAW_PASTE_WINDOW } from './boardConsole';
