/** `?`: every key, as UX.md lists them. */
export const KEYS: Array<[string[], string]> = [
  [['Space'], 'Play / pause'],
  [['←', '→'], 'Previous / next frame'],
  [['Shift+←', 'Shift+→'], 'Back / forward 10 frames'],
  [['Home', 'End'], 'First / last frame'],
  [[',', '.'], 'Previous / next event of the chosen kind'],
  [['[', ']'], 'Pin frame A / frame B (compare)'],
  [['C'], 'Compare A → B on / off'],
  [['W', 'S'], 'Zoom the map in / out (or the mouse wheel)'],
  [['A', 'D'], 'Pan the map toward lower / higher addresses (or drag)'],
  [['F'], 'Fit the whole heap'],
  [['M'], 'Add a mark (while recording)'],
  [['Ctrl+F'], 'Search the log'],
  [['Ctrl+O'], 'Open a session or capture'],
  [['Ctrl+S'], 'Save the session as…'],
  [['Ctrl+E'], 'Export…'],
  [['?'], 'This list'],
  [['Esc'], 'Close a dialog'],
];

export function KeysHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="scrim" onClick={onClose}>
      <div className="dialog" role="dialog" aria-label="Keys" onClick={(e) => e.stopPropagation()} data-testid="keys-help">
        <header>
          Keys<span className="spacer" />
          <button className="btn ghost icon" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="body">
          <div className="keys">
            {KEYS.map(([ks, what]) => (
              <Row key={what} keys={ks} what={what} />
            ))}
          </div>
          <p className="muted" style={{ margin: '4px 0 8px' }}>
            The same keys as Tracy and Perfetto where they overlap. Hover a block for its address, kind, extent and size.
          </p>
        </div>
      </div>
    </div>
  );
}

function Row({ keys, what }: { keys: string[]; what: string }) {
  return (
    <>
      <span>
        {keys.map((k, i) => (
          <span key={k}>
            {i > 0 && ' '}
            <kbd>{k}</kbd>
          </span>
        ))}
      </span>
      <span>{what}</span>
    </>
  );
}
