/**
 * Files sent from the browser by content (the bridge's `POST /upload`): a browser hands over a
 * dropped or picked file's bytes, never its place on disk. Shared by the bridge and the page.
 */
export const UPLOAD_PATH = '/upload';
/** The header the page sends with an upload (a form on another site cannot send it). */
export const UPLOAD_HEADER = 'x-heapscope-upload';
/** Largest file accepted: well above a long recording's capture, far below a full disk. */
export const MAX_UPLOAD_BYTES = 1 << 30;
