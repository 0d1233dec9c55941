import { useEffect, useState, type RefObject } from 'react';

/** An element's size in CSS pixels and the device pixel ratio, kept current as it resizes. */
export interface DeviceSize {
  w: number;
  h: number;
  dpr: number;
}

/** Canvases draw in device pixels: the map and the film strip size themselves from this. */
export function useDeviceSize(ref: RefObject<HTMLElement | null>): DeviceSize {
  const [size, setSize] = useState<DeviceSize>({ w: 0, h: 0, dpr: 1 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const r = el.getBoundingClientRect();
      setSize({ w: Math.floor(r.width), h: Math.floor(r.height), dpr: window.devicePixelRatio || 1 });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** Gives a canvas a backing store of W × H device pixels; resizing (which clears it) only on change. */
export function fitCanvas(c: HTMLCanvasElement, W: number, H: number): void {
  if (c.width !== W || c.height !== H) {
    c.width = W;
    c.height = H;
  }
}
