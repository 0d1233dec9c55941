/**
 * A session's maps in order, for a pass over every dump (inspect, check, the leak verdict):
 * each dump's decoded bytes are compared line by line with the dump before (MapFollower), and
 * only a dump that cannot be followed is parsed again by the capture parser. The maps given
 * out are reused from dump to dump: read them before asking for the next.
 */
import { followKey, MapFollower } from '../../shared/heap/mapFollower';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import type { FrameMaps } from '../../shared/lifetimes/session';
import { dumpIn, type SessionReader } from './reader';

/** Raw bytes by offset, as SessionReader.rawView gives them (a view valid until the next call). */
export interface RawSource {
  view(start: number, end: number): Uint8Array;
}

export class FollowedSessionMaps {
  private readonly follower = new MapFollower();
  /** Dumps followed from the one before, and dumps parsed. */
  followed = 0;
  parsed = 0;

  /** `raw`: where the dumps' bytes come from (default: the reader; see followAhead.ts). */
  constructor(
    private readonly reader: SessionReader,
    private readonly raw?: RawSource,
  ) {}

  /**
   * Snapshot i's maps; `changed` is against the maps this gave last (so every map given out
   * must reach the tracker, in order).
   */
  maps(i: number, e: SnapshotIndexEntry): FrameMaps {
    const key = followKey(e);
    const view = (): Uint8Array => (this.raw ? this.raw.view(e.byteStart, e.byteEnd) : this.reader.rawView(e.byteStart, e.byteEnd));
    if (key !== null) {
      const got = this.follower.follow(view(), key);
      if (got !== null) {
        this.followed++;
        return got;
      }
    }
    // The bytes getSnapshot parses, parsed as it does (it says what is wrong when they hold no dump).
    const bytes = this.raw ? this.raw.view(e.byteStart, e.byteEnd) : null;
    const areas = (bytes ? dumpIn(bytes)?.areas : undefined) ?? this.reader.getSnapshot(i).areas;
    this.parsed++;
    if (key === null) this.follower.forget();
    else this.follower.learn(bytes ?? this.reader.rawView(e.byteStart, e.byteEnd), areas, key);
    return { areas, changed: null };
  }
}
