// One uPlot time-series chart: made once, fed new data on every render, no wider than its box
// (so it fits a phone).

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  readonly title: string;
  /** Seconds since the epoch, one per sample. */
  readonly times: readonly number[];
  readonly series: ReadonlyArray<{ readonly label: string; readonly values: readonly (number | null)[] }>;
  /** The period shown, in seconds since the epoch: a few samples are drawn where they fall in it. */
  readonly range?: readonly [number, number];
  /** Dots on the samples, for series of few samples that a line alone would hide. */
  readonly showPoints?: boolean;
  readonly maxWidth_px?: number;
  readonly height_px?: number;
}

const COLOURS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];
const DEFAULT_MAX_WIDTH_PX = 560;
const DEFAULT_HEIGHT_PX = 220;

/** How many samples the plot holds, on its box: the canvas shows them, this says them (to tests too). */
function showPointCount(box: HTMLDivElement, plot: uPlot): void {
  box.dataset.points = String(plot.data[0].length);
}

export function Chart({
  title,
  times,
  series,
  range,
  showPoints = false,
  maxWidth_px = DEFAULT_MAX_WIDTH_PX,
  height_px = DEFAULT_HEIGHT_PX,
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');
  useEffect(() => {
    if (box.current === null) return;
    plot.current = new uPlot(
      {
        title,
        width: Math.min(maxWidth_px, box.current.clientWidth || DEFAULT_MAX_WIDTH_PX),
        height: height_px,
        ...(range !== undefined
          ? { scales: { x: { time: true, range: [range[0], range[1]] as uPlot.Range.MinMax } } }
          : {}),
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            ...(showPoints ? { points: { show: true, size: 6 } } : {}),
          })),
        ],
      },
      [[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData,
      box.current,
    );
    showPointCount(box.current, plot.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [title, labels, range?.[0], range?.[1], showPoints, maxWidth_px, height_px]);
  useEffect(() => {
    if (plot.current === null || box.current === null) return;
    plot.current.setData([[...times], ...series.map((s) => [...s.values])] as uPlot.AlignedData);
    showPointCount(box.current, plot.current);
  });
  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
