/** The service: the one API over sessions and boards. See src/shared/api.ts and docs/service-api.md. */
export { HeapScopeService, uniquePath, type ServiceOptions } from './service';
export { createDefaultService, findProjectRoot, fileDemoLister, serialPortLister, boardRecorder, type DefaultServiceOptions } from './defaults';
export { SessionFileStore, FileSessionView, LiveFileSession, looksLikeSession, SESSION_EXTENSION } from './sessionStore';
export { RawCaptureStore, openCapture } from './rawStore';
export { MemorySession, type SessionView } from './sessionView';
export { toServiceError, apiError } from './errors';
export type { SessionStore, Recorder, RecorderHooks, RecorderHandle, LiveSession, PortLister, DemoLister, JobHooks } from './backends';
