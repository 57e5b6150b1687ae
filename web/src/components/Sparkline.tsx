/**
 * A hand-rolled SVG area chart for the live CPU/memory/network graphs: a chart library
 * would cost more than the whole console page.
 */
export function Sparkline({
  series,
  max,
  height = 60,
  label,
}: {
  /** One or two series (e.g. network in and out), oldest first. */
  series: { values: number[]; color: string }[];
  /** The top of the y axis; defaults to the largest value. */
  max?: number;
  height?: number;
  label: string;
}) {
  const width = 300;
  const top = Math.max(max ?? 0, ...series.flatMap((s) => s.values), 1e-9);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => (i / (n - 1)) * width;
  const y = (v: number) => height - (Math.max(0, v) / top) * (height - 2) - 1;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label={label}>
      {series.map((s, k) => {
        if (s.values.length < 2) return null;
        const offset = n - s.values.length;
        const pts = s.values.map((v, i) => `${x(i + offset).toFixed(1)},${y(v).toFixed(1)}`);
        return (
          <g key={k}>
            <polygon points={`${x(offset)},${height} ${pts.join(' ')} ${x(n - 1)},${height}`} fill={s.color} fillOpacity={0.15} />
            <polyline points={pts.join(' ')} fill="none" stroke={s.color} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
          </g>
        );
      })}
    </svg>
  );
}
