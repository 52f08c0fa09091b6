// One uPlot time-series chart, as the operator console draws them: made once, fed new data on
// every render, as wide as its box (so it fits a phone).

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  readonly title: string;
  /** Seconds since the epoch, one per sample. */
  readonly times: readonly number[];
  readonly series: ReadonlyArray<{ readonly label: string; readonly values: readonly (number | null)[] }>;
  /** The period shown, in seconds since the epoch: a few samples are drawn where they fall in it. */
  readonly range?: readonly [number, number];
}

const COLOURS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

export function Chart({ title, times, series, range }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');
  useEffect(() => {
    if (box.current === null) return;
    plot.current = new uPlot(
      {
        title,
        width: Math.min(720, box.current.clientWidth || 560),
        height: 240,
        ...(range !== undefined
          ? { scales: { x: { time: true, range: [range[0], range[1]] as uPlot.Range.MinMax } } }
          : {}),
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true, size: 6 },
          })),
        ],
      },
      [[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData,
      box.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [title, labels, range?.[0], range?.[1]]);
  useEffect(() => {
    plot.current?.setData([[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData);
  });
  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
