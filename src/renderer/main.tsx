import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './bridge/connect';
import { AppStore, setStore } from './state/store';
import { installProbe } from './probe';
import './styles/app.css';

const root = createRoot(document.getElementById('root')!);
try {
  const c = connect();
  const s = new AppStore(c.api, c.bridge);
  setStore(s);
  c.onConnection((state) => {
    if (state === 'closed') s.connectionLost();
  });
  installProbe(s);
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  void s.start(c.ready);
} catch (e) {
  root.render(
    <div className="map-empty">
      <div>
        <h2>HeapScope cannot start here</h2>
        <p>{(e as Error).message}</p>
      </div>
    </div>,
  );
}
