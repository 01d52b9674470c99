/**
 * A small SVG line chart, written by hand so the benchmarks need no charting dependency: a few series of
 * (x, y) points, optional step drawing (cumulative counts), reference lines (a floor, a target), linear or
 * logarithmic x axis. Enough for the reports; not a charting library.
 */

/** One line of the chart. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Draw as a staircase (a count that changes at each point), not straight segments. */
  step?: boolean;
  /** Also mark every point with a dot. */
  dots?: boolean;
}

/** A labelled straight line across the plot, e.g. the physical floor. */
export interface ReferenceLine {
  axis: 'x' | 'y';
  value: number;
  label: string;
}

/** What to draw. */
export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  references?: readonly ReferenceLine[];
  /** @default 'linear' */
  xScale?: 'linear' | 'log';
  /** Lower end of the y axis. @default 0 */
  yMin?: number;
}

const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { top: 40, right: 180, bottom: 50, left: 70 };
/** Colour-blind-safe palette (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Renders `spec` as a standalone SVG document. */
export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((s) => s.points);
  const refs = spec.references ?? [];
  const log = spec.xScale === 'log';
  const xs = [...all.map((p) => p[0]), ...refs.filter((r) => r.axis === 'x').map((r) => r.value)].filter(
    (x) => !log || x > 0,
  );
  const ys = [...all.map((p) => p[1]), ...refs.filter((r) => r.axis === 'y').map((r) => r.value)];
  const xDomain = log ? logDomain(xs) : niceDomain(Math.min(0, ...xs), Math.max(1, ...xs));
  const yDomain = niceDomain(spec.yMin ?? 0, Math.max(1, ...ys));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const toX = (x: number): number => {
    const t = log
      ? (Math.log10(x) - Math.log10(xDomain.min)) / (Math.log10(xDomain.max) - Math.log10(xDomain.min))
      : (x - xDomain.min) / (xDomain.max - xDomain.min);
    return MARGIN.left + t * plotW;
  };
  const toY = (y: number): number =>
    MARGIN.top + plotH - ((y - yDomain.min) / (yDomain.max - yDomain.min)) * plotH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(spec.title)}</text>`,
  ];
  for (const tick of log ? logTicks(xDomain) : linearTicks(xDomain)) {
    const x = toX(tick);
    parts.push(
      `<line x1="${fmt(x)}" y1="${MARGIN.top}" x2="${fmt(x)}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${fmt(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of linearTicks(yDomain)) {
    const y = toY(tick);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fmt(y)}" x2="${MARGIN.left + plotW}" y2="${fmt(y)}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${fmt(y + 4)}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`,
  );
  for (const ref of refs) {
    const [x1, y1, x2, y2] =
      ref.axis === 'x'
        ? [toX(ref.value), MARGIN.top, toX(ref.value), MARGIN.top + plotH]
        : [MARGIN.left, toY(ref.value), MARGIN.left + plotW, toY(ref.value)];
    parts.push(
      `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="#555" stroke-dasharray="5 4"/>`,
      `<text x="${fmt(ref.axis === 'x' ? x1 + 4 : x2 - 4)}" y="${fmt(ref.axis === 'x' ? y1 + 12 : y1 - 4)}" ` +
        `text-anchor="${ref.axis === 'x' ? 'start' : 'end'}" fill="#555">${escape(ref.label)}</text>`,
    );
  }
  spec.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const points = series.points.filter((p) => !log || p[0] > 0);
    parts.push(
      `<path d="${pathOf(points, series.step ?? false, toX, toY)}" fill="none" stroke="${colour}" stroke-width="2"/>`,
    );
    if (series.dots) {
      for (const [x, y] of points)
        parts.push(`<circle cx="${fmt(toX(x))}" cy="${fmt(toY(y))}" r="3" fill="${colour}"/>`);
    }
    const legendY = MARGIN.top + 10 + i * 18;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" y1="${legendY}" x2="${WIDTH - MARGIN.right + 32}" y2="${legendY}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 38}" y="${legendY + 4}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function pathOf(
  points: readonly (readonly [number, number])[],
  step: boolean,
  toX: (x: number) => number,
  toY: (y: number) => number,
): string {
  return points
    .map(([x, y], i) => {
      const move = i === 0 ? 'M' : 'L';
      const previous = points[i - 1];
      // A staircase holds the previous value until the next point's x.
      const riser = step && previous ? `L${fmt(toX(x))},${fmt(toY(previous[1]))} ` : '';
      return `${riser}${move}${fmt(toX(x))},${fmt(toY(y))}`;
    })
    .join(' ');
}

interface Domain {
  min: number;
  max: number;
  step: number;
}

/** A domain from `lo` to `hi` widened to round numbers, with about five ticks. */
function niceDomain(lo: number, hi: number): Domain {
  const span = hi - lo || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return { min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step, step };
}

function logDomain(values: readonly number[]): Domain {
  const positive = values.filter((v) => v > 0);
  const min = 10 ** Math.floor(Math.log10(Math.min(...positive, 1)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(...positive, 10)));
  return { min, max, step: 10 };
}

function linearTicks(domain: Domain): number[] {
  const ticks: number[] = [];
  for (let v = domain.min; v <= domain.max + domain.step / 1e6; v += domain.step) ticks.push(v);
  return ticks;
}

/** 1, 2, 5, 10, 20, 50... across the domain: a log axis with only powers of ten is hard to read. */
function logTicks(domain: Domain): number[] {
  const ticks: number[] = [];
  for (let decade = domain.min; decade <= domain.max * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) if (decade * step <= domain.max * 1.0001) ticks.push(decade * step);
  }
  return ticks;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
