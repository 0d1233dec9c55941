export { RawRepl, RAW_BANNER, type ExecResult, type RunResult, type RawReplOptions, type TakeControlOptions, type RunOptions } from './rawRepl';
export { LinkReader, DEFAULT_SILENCE_MS, sleep, type ReadOptions } from './linkReader';
export { Mutex } from './mutex';
export { Utf8Stream, decodeUtf8 } from './utf8';
export { identifyBoard, parseIdentity, describeIdentity, IDENTIFY_CODE, type BoardIdentity } from './identify';
