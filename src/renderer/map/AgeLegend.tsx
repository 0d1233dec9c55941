/** The map's colouring switch ("kind" or "age") and the age ramp's legend. */
import { AGE_BUCKETS, bucketLabel } from '../../shared/lifetimes/ageMap';
import type { ThemeColours } from './colors';
import type { MapColouring } from './mapView';
import '../styles/lifetimes.css';

export function ColouringToggle({ value, onChange }: { value: MapColouring; onChange: (v: MapColouring) => void }) {
  return (
    <span className="seg" role="radiogroup" aria-label="Colour the map by" data-testid="map-colouring">
      {(['kind', 'age'] as const).map((v) => (
        <button
          key={v}
          role="radio"
          aria-checked={value === v}
          className={`btn${value === v ? ' active' : ''}`}
          onClick={() => onChange(v)}
          data-testid={`colour-by-${v}`}
          title={v === 'kind' ? 'Colour each object by its kind letter' : 'Colour each object by how long it has been alive (young to old)'}
        >
          {v}
        </button>
      ))}
    </span>
  );
}

export function AgeLegend({ colours, ready }: { colours: ThemeColours; ready: boolean }) {
  return (
    <>
      <span className="age-ramp" data-testid="age-legend">
        <span className="muted">young</span>
        {Array.from({ length: AGE_BUCKETS }, (_, b) => (
          <span key={b} className="swatch age" style={{ background: colours.age[b] }} title={`Seen in ${bucketLabel(b)}`} />
        ))}
        <span className="muted">old</span>
      </span>
      <span className="note">
        {ready
          ? 'Age: the frames an object has been seen in, from 1 (new here) to 65 and more. A lower bound: it was born at some point since the dump before it was first seen.'
          : 'Reading object lifetimes…'}
      </span>
    </>
  );
}
