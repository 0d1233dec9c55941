/**
 * The browser window: send a file's bytes to HeapScope (the bridge's `POST /upload`), with
 * progress, and get back where HeapScope keeps it. XMLHttpRequest, because fetch reports no
 * upload progress. The token travels in the URL, as the page's own does (there is no cookie:
 * see src/main/bridge/policy.ts).
 */
import { MAX_UPLOAD_BYTES, UPLOAD_HEADER, UPLOAD_PATH } from '../shared/upload';

export function uploadFile(file: File, onProgress: (done: number, total: number) => void): Promise<string> {
  if (file.size > MAX_UPLOAD_BYTES) {
    return Promise.reject(new Error(`“${file.name}” is ${Math.round(file.size / 1048576)} MB; the browser window accepts files up to ${MAX_UPLOAD_BYTES / 1048576} MB. Open it with \`heapscope serve --session <file>\` or the desktop app.`));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    // Relative to the page: the bridge serves it at its root.
    const token = new URLSearchParams(location.search).get('token') ?? '';
    xhr.open('POST', `.${UPLOAD_PATH}?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader(UPLOAD_HEADER, '1');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new Error(`Sending “${file.name}” to HeapScope failed: the connection broke.`));
    xhr.onabort = () => reject(new Error(`Sending “${file.name}” was cancelled.`));
    xhr.onload = () => {
      let body: { ok?: boolean; path?: string; error?: { message?: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: said below */
      }
      if (xhr.status === 200 && body.ok && typeof body.path === 'string') resolve(body.path);
      else reject(new Error(body.error?.message ?? `HeapScope refused “${file.name}” (HTTP ${xhr.status}).`));
    };
    xhr.send(file);
  });
}
