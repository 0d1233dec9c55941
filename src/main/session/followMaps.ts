/**
 * A session's maps in order, for a pass over every dump (inspect, check, the leak verdict):
 * each dump's decoded bytes are compared line by line with the dump before (MapFollower), and
 * only a dump that cannot be followed is parsed again by the capture parser. The maps given
 * out are reused from dump to dump: read them before asking for the next.
 */
import { followKey, MapFollower } from '../../shared/heap/mapFollower';
import type { SnapshotIndexEntry } from '../../shared/heap/snapshot';
import type { FrameMaps } from '../../shared/lifetimes/session';
import type { SessionReader } from './reader';

export class FollowedSessionMaps {
  private readonly follower = new MapFollower();
  /** Dumps followed from the one before, and dumps parsed. */
  followed = 0;
  parsed = 0;

  constructor(private readonly reader: SessionReader) {}

  /**
   * Snapshot i's maps; `changed` is against the maps this gave last (so every map given out
   * must reach the tracker, in order).
   */
  maps(i: number, e: SnapshotIndexEntry): FrameMaps {
    const key = followKey(e);
    if (key !== null) {
      const got = this.follower.follow(this.reader.rawView(e.byteStart, e.byteEnd), key);
      if (got !== null) {
        this.followed++;
        return got;
      }
    }
    const s = this.reader.getSnapshot(i);
    this.parsed++;
    if (key === null) this.follower.forget();
    else this.follower.learn(this.reader.rawView(e.byteStart, e.byteEnd), s.areas, key);
    return { areas: s.areas, changed: null };
  }
}
