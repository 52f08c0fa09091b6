// One uPlot time-series chart: made once, fed new data on every render.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  readonly title: string;
  /** Seconds since the epoch, one per sample. */
  readonly times: readonly number[];
  readonly series: ReadonlyArray<{ readonly label: string; readonly values: readonly (number | null)[] }>;
}

const COLOURS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

/** How many samples the plot holds, on its box: the canvas shows them, this says them (to tests too). */
function showPointCount(box: HTMLDivElement, plot: uPlot): void {
  box.dataset.points = String(plot.data[0].length);
}

export function Chart({ title, times, series }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');
  useEffect(() => {
    if (box.current === null) return;
    plot.current = new uPlot(
      {
        title,
        width: Math.min(560, box.current.clientWidth || 560),
        height: 220,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
      },
      [[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData,
      box.current,
    );
    showPointCount(box.current, plot.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [title, labels]);
  useEffect(() => {
    if (plot.current === null || box.current === null) return;
    plot.current.setData([[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData);
    showPointCount(box.current, plot.current);
  });
  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
