/** A service over real session files in `dataDir`, as the tests build it (no board, no dialogs). */
import { join } from 'node:path';
import { HeapScopeService, RawCaptureStore, SessionFileStore, looksLikeSession } from '../../src/main/service';

export type ServiceOptions = ConstructorParameters<typeof HeapScopeService>[0];

export function testService(dir: string, extra: Partial<ServiceOptions> = {}): HeapScopeService {
  return new HeapScopeService({
    dataDir: join(dir, 'data'),
    store: new SessionFileStore(),
    captureStore: new RawCaptureStore(),
    isSessionFile: async (p) => looksLikeSession(p),
    ...extra,
  });
}
