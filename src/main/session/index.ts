/** Session files (`.hss`): see docs/session-format.md. */
export { SessionWriter, type SessionMeta, type SessionSummary, type SessionWriterOptions, type StoredMeta, type SegmentInfo } from './writer';
export { SessionReader, type OpenOptions, type SnapshotRef } from './reader';
export { SessionFormatError, FORMAT_VERSION, READS_UP_TO, type SessionErrorCode } from './format';
export type { SnapshotIndexEntry, SessionEvent } from './indexCodec';
export { importCapture } from './importCapture';
