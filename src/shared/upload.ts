/**
 * Files sent from the browser by content (the bridge's `POST /upload`): a browser hands over a
 * dropped or picked file's bytes, never its place on disk. Shared by the bridge and the page.
 */
export const UPLOAD_PATH = '/upload';
/** The header the page sends with an upload (a form on another site cannot send it). */
export const UPLOAD_HEADER = 'x-heapscope-upload';
/** Largest file accepted: well above a long recording's capture, far below a full disk. */
export const MAX_UPLOAD_BYTES = 1 << 30;

/**
 * Exports made from the browser window, delivered as a download too (the bridge's
 * `GET /download?path=…`): only files the service exported during this run.
 */
export const DOWNLOAD_PATH = '/download';

/** The page's URL for downloading an export written at `path` on HeapScope's computer (the token travels in the URL). */
export function downloadUrl(path: string, token: string): string {
  return `.${DOWNLOAD_PATH}?token=${encodeURIComponent(token)}&path=${encodeURIComponent(path)}`;
}
