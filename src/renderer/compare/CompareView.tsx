/**
 * The Compare tab: A → B at the block level (allocated, freed, the diff map) and at the object
 * level, like DevTools' comparison view: the objects New in B, Gone from A and Survived from A
 * to B, each list sortable with its totals per kind; a click points at the object on the map.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ObjectColumns, ObjectsResult } from '../../shared/api';
import { bytes, duration, int, kindName, signedBytes } from '../../shared/view/format';
import type { ThemeColours } from '../map/colors';
import { mapView, useMapView } from '../map/mapView';
import { store, useApp } from '../state/store';
import { ObjectList } from './ObjectList';
import '../styles/lifetimes.css';

type ListName = 'added' | 'gone' | 'survived';

const LISTS: Array<{ name: ListName; label: string; title: string; empty: string }> = [
  { name: 'added', label: 'New', title: 'Alive at B, not at A: born between them', empty: 'Nothing was born between A and B that is still alive at B.' },
  { name: 'gone', label: 'Gone', title: 'Alive at A, not at B: freed between them', empty: 'Everything alive at A is still alive at B.' },
  { name: 'survived', label: 'Survived', title: 'Alive at both A and B (the same place, kind and size all along)', empty: 'Nothing alive at A lived on to B.' },
];

interface Objects {
  key: string;
  answer: ObjectsResult | null;
  error: string | null;
}

export function CompareView({ colours }: { colours: ThemeColours }) {
  const st = store();
  const s = useApp((x) => ({ a: x.pinA, b: x.pinB, diff: x.compareDiff, compare: x.compare, A: x.compareA, B: x.compareB, session: x.logEpoch }));
  const [which, setWhich] = useState<ListName>('added');
  const [objects, setObjects] = useState<Objects | null>(null);
  const highlight = useMapView().highlight;
  const key = `${s.session}:${s.a}:${s.b}`;
  useEffect(() => {
    if (s.a === null || s.b === null || !s.diff) return;
    let gone = false;
    setObjects({ key, answer: null, error: null });
    st.api.getObjects({ frame: Math.max(s.a, s.b), from: Math.min(s.a, s.b) }).then(
      (answer) => !gone && setObjects({ key, answer, error: null }),
      (e: Error) => !gone && setObjects({ key, answer: null, error: e.message }),
    );
    return () => {
      gone = true;
    };
  }, [st, key, s.a, s.b, s.diff]);
  // Lists read A → B: pinned backwards (B before A), what is new at B is what the earlier-to-later comparison calls gone.
  const lists = useMemo(() => {
    const c = objects?.key === key ? objects.answer?.compare : null;
    if (!c) return null;
    const back = s.a !== null && s.b !== null && s.a > s.b;
    return {
      added: back ? c.gone : c.added,
      gone: back ? c.added : c.gone,
      survived: c.survived,
      totals: back ? { added: c.totals.gone, gone: c.totals.added, survived: c.totals.survived } : c.totals,
    };
  }, [objects, key, s.a, s.b]);

  if (s.a === null || s.b === null || !s.diff) {
    return (
      <div className="log-empty" data-testid="compare-panel">
        <p>
          Pin two moments: <kbd>[</kbd> pins the current frame as <span className="pin a">A</span>, <kbd>]</kbd> as <span className="pin b">B</span>.
        </p>
        <p>The map then shows what was allocated and freed from A to B, and this tab the objects that are new, gone and survived.</p>
        {s.a !== null && <p>A is frame {s.a + 1}.</p>}
        {s.b !== null && <p>B is frame {s.b + 1}.</p>}
      </div>
    );
  }
  const bs = s.B?.blockSize ?? s.A?.blockSize ?? null;
  const d = s.diff;
  const f = st.frames;
  const dt = f.timeBase !== 'index' ? f.t[s.b] - f.t[s.a] : null;
  const usedA = f.cols.used[s.a];
  const usedB = f.cols.used[s.b];
  const areas = s.B?.areas ?? s.A?.areas ?? [];
  const list = lists ? lists[which] : null;
  const totals = lists ? lists.totals[which] : [];
  const sum = (c: ObjectColumns) => c.blocks.reduce((n, x) => n + x, 0);
  const size = (blocks: number) => (bs ? bytes(blocks * bs) : `${int(blocks)} blocks`);
  const selected = list && highlight ? findRow(list, highlight) : -1;
  return (
    <div className="compare-view" data-testid="compare-panel">
      <div className="section">
        <h3>
          <span className="pin a">A</span> frame {s.a + 1} → <span className="pin b">B</span> frame {s.b + 1}
          {dt !== null ? ` · ${duration(Math.abs(dt))} ${dt >= 0 ? 'later' : 'earlier'}` : ''}
        </h3>
        <div className="compare-figures">
          <span title="Blocks allocated between A and B">
            <span className="swatch" style={{ background: colours.allocated }} /> {d.allocatedBlocks ? '+' : ''}{size(d.allocatedBlocks)}
          </span>
          <span title="Blocks freed between A and B">
            <span className="swatch" style={{ background: colours.freed }} /> {d.freedBlocks ? '−' : ''}{size(d.freedBlocks)}
          </span>
          <span title="Used bytes at A → at B">
            used {Number.isFinite(usedB - usedA) ? signedBytes(usedB - usedA) : '—'}
          </span>
          <span title="The longest free run at A → at B">
            longest free {bytes(f.cols.largest[s.a])} → {bytes(f.cols.largest[s.b])}
          </span>
        </div>
        <div className="compare-buttons">
          <button className={`btn${s.compare ? ' active' : ''}`} onClick={() => st.toggleCompare()}>
            {s.compare ? 'Showing the diff map' : 'Show the diff map'}
          </button>
          <button className="btn" onClick={() => void st.seek(s.a!)}>
            Go to A
          </button>
          <button className="btn" onClick={() => void st.seek(s.b!)}>
            Go to B
          </button>
        </div>
      </div>
      <div className="obj-tabs" role="tablist" data-testid="object-tabs">
        {LISTS.map((l) => (
          <button key={l.name} role="tab" aria-selected={which === l.name} className={`obj-tab${which === l.name ? ' on' : ''}`} title={l.title} onClick={() => setWhich(l.name)} data-testid={`objects-${l.name}`}>
            <b>{l.label}</b>
            <span className="num">{lists ? int(lists[l.name].area.length) : '…'}</span>
            <span className="num muted">{lists ? size(sum(lists[l.name])) : ''}</span>
          </button>
        ))}
      </div>
      {objects?.error && <p className="obj-empty" style={{ color: 'var(--danger)' }}>{objects.error}</p>}
      {list && (
        <>
          <div className="kind-totals" data-testid="kind-totals" title="Totals per kind in this list">
            {totals.map((k) => (
              <span key={k.kind} className="kind-total" title={`${kindName(k.kind)}: ${int(k.count)} objects, ${size(k.blocks)}`}>
                <span className="swatch" style={{ background: colours.kind(k.kind) }} />
                <b className="mono">{k.kind}</b> {int(k.count)} · {size(k.blocks)}
              </span>
            ))}
          </div>
          <ObjectList
            key={which}
            list={list}
            phases={objects!.answer!.phases}
            areas={areas}
            blockSize={bs}
            colours={colours}
            selected={selected}
            empty={LISTS.find((l) => l.name === which)!.empty}
            onSelect={(j) => mapView.highlight(j === selected ? null : { area: list.area[j], start: list.start[j], blocks: list.blocks[j] })}
          />
        </>
      )}
      {!list && !objects?.error && <p className="obj-empty muted">Reading object lifetimes…</p>}
    </div>
  );
}

function findRow(list: ObjectColumns, h: { area: number; start: number; blocks: number }): number {
  for (let j = 0; j < list.area.length; j++) if (list.area[j] === h.area && list.start[j] === h.start && list.blocks[j] === h.blocks) return j;
  return -1;
}
