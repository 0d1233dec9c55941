/**
 * Blame by phase in the Frame tab: the objects alive at this frame, grouped by the log line or
 * mark during which they were first seen. As close to an allocation stack as MicroPython
 * allows; numbers in a loop's lines are folded to `#`, so one loop is one row.
 */
import { Fragment, useEffect, useState } from 'react';
import type { LifetimesResult } from '../../shared/api';
import { bytes, int } from '../../shared/view/format';
import { store } from '../state/store';

export function BornDuring({ frame }: { frame: number }) {
  const st = store();
  const [r, setR] = useState<LifetimesResult | null>(null);
  useEffect(() => {
    let live = true;
    // A short wait, so scrubbing through frames asks once where it stops.
    const t = setTimeout(() => {
      st.api.getLifetimes({ frame }).then(
        (x) => live && setR(x),
        () => undefined,
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [frame, st]);
  if (!r || r.frame !== frame || r.blame.length === 0) return null;
  return (
    <div className="section" data-testid="born-during">
      <h3 title="Objects alive here, by the line or mark printed last before the dump they first appeared in (an object seen at the same place, kind and size in consecutive dumps counts as one: ages are lower bounds)">
        Alive here, by when they were born
      </h3>
      <div className="kv">
        {r.blame.slice(0, 8).map((b) => (
          <Fragment key={`${b.kind}:${b.phase}`}>
            <span title={b.example} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {b.kind === 'start' ? 'before the first line' : <code>{b.kind === 'mark' ? `mark ${b.phase}` : b.phase}</code>}
            </span>
            <span>
              {int(b.count)} · {bytes(b.bytes)}
            </span>
          </Fragment>
        ))}
      </div>
    </div>
  );
}
