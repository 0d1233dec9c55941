/**
 * One of Compare's object lists (New, Gone or Survived), like DevTools' comparison view:
 * address, kind, size and birth, sortable by any column, virtualised (only the rows on screen
 * exist, so 50,000 survivors scroll like ten). A click points at the object on the map.
 */
import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ObjectColumns, ObjectsResult } from '../../shared/api';
import { sortedRows, type SortKey } from '../../shared/lifetimes/objects';
import { bytes, int, kindName } from '../../shared/view/format';
import { blockAddress } from '../../shared/view/mapLayout';
import type { ThemeColours } from '../map/colors';

const ROW = 22;

interface Props {
  list: ObjectColumns;
  phases: ObjectsResult['phases'];
  /** Area addresses, for the objects' addresses. */
  areas: ReadonlyArray<{ address: string }>;
  blockSize: number | null;
  colours: ThemeColours;
  selected: number;
  onSelect: (j: number) => void;
  /** Says what the list holds when empty. */
  empty: string;
}

const COLUMNS: Array<{ key: SortKey; label: string; title: string }> = [
  { key: 'address', label: 'Address', title: 'Where its head block is (objects never move)' },
  { key: 'kind', label: 'Kind', title: 'The head block’s letter' },
  { key: 'size', label: 'Size', title: 'Head and tail blocks, in bytes' },
  { key: 'born', label: 'Born', title: 'The frame it was first seen in, and the line or mark in force then' },
];

export function ObjectList({ list, phases, areas, blockSize, colours, selected, onSelect, empty }: Props) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'size', dir: -1 });
  const order = useMemo(() => sortedRows(list, sort.key, sort.dir), [list, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: order.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const size = (blocks: number) => (blockSize ? bytes(blocks * blockSize) : `${int(blocks)} bl`);
  return (
    <div className="obj-list" data-testid="object-list">
      <div className="obj-row obj-head" role="row">
        {COLUMNS.map((c) => (
          <button
            key={c.key}
            className={`obj-cell obj-${c.key}${sort.key === c.key ? ' sorted' : ''}`}
            title={`${c.title}. Click to sort.`}
            data-testid={`sort-${c.key}`}
            aria-sort={sort.key === c.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none'}
            onClick={() => setSort((s) => (s.key === c.key ? { key: c.key, dir: s.dir === 1 ? -1 : 1 } : { key: c.key, dir: c.key === 'size' ? -1 : 1 }))}
          >
            {c.label}
            {sort.key === c.key ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''}
          </button>
        ))}
      </div>
      <div className="obj-body" ref={scroller} data-testid="object-rows">
        {order.length === 0 ? (
          <div className="obj-empty muted">{empty}</div>
        ) : (
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const j = order[item.index];
              const k = list.kind[j];
              const ph = phases[list.phase[j]];
              const phase = ph.kind === 'start' ? 'before the first line' : ph.text;
              const born = `${list.bornBefore[j] ? 'by ' : ''}${list.bornFrame[j] + 1}`;
              return (
                <div
                  key={item.key}
                  className={`obj-row${j === selected ? ' on' : ''}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                  data-row={item.index}
                  onClick={() => onSelect(j)}
                  title={`${kindName(k)}, ${size(list.blocks[j])}; first seen in frame ${born} during “${phase}”${list.diedFrame[j] >= 0 ? `; gone from frame ${list.diedFrame[j] + 1}` : ''}`}
                >
                  <span className="obj-cell obj-address mono">{areas[list.area[j]] ? blockAddress(areas[list.area[j]].address, list.start[j], blockSize) : `#${list.start[j]}`}</span>
                  <span className="obj-cell obj-kind">
                    <span className="swatch" style={{ background: colours.kind(k) }} /> <b className="mono">{k}</b>
                  </span>
                  <span className="obj-cell obj-size num">{size(list.blocks[j])}</span>
                  <span className="obj-cell obj-born">
                    <span className="num">{born}</span> <span className="muted">{phase}</span>
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
