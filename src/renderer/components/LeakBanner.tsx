/**
 * The leak verdict over the map: "leaking N B/min, full in about M min", the objects that never
 * die (by kind and size) and the line they were born during. Asked of the service when a session
 * opens and again as a recording grows (at most every few seconds: it walks new frames only).
 */
import { useEffect, useState } from 'react';
import type { LifetimesResult } from '../../shared/api';
import { formatDuration } from '../../shared/lifetimes/leak';
import { store, useApp } from '../state/store';

const REFRESH_FRAMES = 10;

export function rate(bpm: number): string {
  return bpm >= 10240 ? `${(bpm / 1024).toFixed(1)} KiB` : `${bpm} B`;
}

export function LeakBanner() {
  const st = store();
  const s = useApp((x) => ({ path: x.meta?.path ?? null, n: x.frameCount, live: !!x.meta?.live }));
  const [life, setLife] = useState<{ path: string; asked: number; live: boolean; r: LifetimesResult } | null>(null);
  const [hidden, setHidden] = useState<string | null>(null);
  // One question at a time: while an answer is on its way, new frames do not ask again (each
  // question costs the service a walk of the frames since the last, beside the live dumps).
  const [asking, setAsking] = useState<string | null>(null);
  // A verdict asked mid-recording sees only the growth so far: ask again when it ends, so a
  // program that allocated then settled is not left labelled a leak.
  const due =
    s.path !== null &&
    // A recording is first asked after a few dumps: no verdict comes from one, and the
    // service's first answer (its code compiled, its tracker made) would hold the first pushes.
    s.n >= (s.live ? REFRESH_FRAMES : 1) &&
    asking !== s.path &&
    (life?.path !== s.path || (life.live && !s.live) || s.n - life.asked >= (s.live ? REFRESH_FRAMES : 1));
  useEffect(() => {
    if (!due || s.path === null) return;
    const path = s.path;
    const asked = s.n;
    const recording = s.live;
    setAsking(path);
    st.api.getLifetimes({}).then(
      (r) => {
        setAsking((a) => (a === path ? null : a));
        setLife({ path, asked, live: recording, r });
      },
      () => setAsking((a) => (a === path ? null : a)),
    );
  }, [due, s.path, s.n, s.live, st]);
  if (!life || life.path !== s.path || hidden === s.path) return null;
  const v = life.r.leak;
  if (v.verdict !== 'leaking') return null;
  const what = v.forecastLimit === 'largestFreeRun' ? 'no room for the largest allocation' : 'full';
  const near = v.groups[0]?.bornNear;
  return (
    <div className="banner warn leak" role="status" data-testid="leak-banner">
      <div style={{ flex: 1, minWidth: 0 }}>
        <div className="what">
          Leaking {rate(v.bytesPerMinute ?? 0)}/min
          {v.forecastMs === null
            ? ''
            : v.forecastMs < 1000
              ? `, ${what === 'full' ? 'the heap is full' : 'no room for the largest allocation'} already`
              : `, ${what} in about ${formatDuration(v.forecastMs)}`}
        </div>
        <div className="fix" title={v.reason}>
          {v.survivors} objects born after warm-up never died:{' '}
          {v.groups
            .slice(0, 3)
            .map((g) => `${g.count} × ${g.kind} of ${g.size} B`)
            .join(', ')}
          {near ? (
            <>
              , born during <code>{near}</code>
            </>
          ) : null}
        </div>
      </div>
      {v.window && (
        <button
          className="btn"
          onClick={() => {
            st.set({ sideTab: 'strip' });
            void st.seek(v.window!.to);
          }}
          title="Show where they were born: the film strip, at the last frame whose newborn count"
          data-testid="leak-show"
        >
          Show
        </button>
      )}
      <button className="btn ghost icon" onClick={() => setHidden(s.path)} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
