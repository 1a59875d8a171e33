/**
 * Small statistics and a table printer for the benchmark's figures: "ours vs Airflow with the
 * ratio" rows, and "median of 3 runs" combining.
 *
 * Percentiles are nearest-rank (the smallest value with at least p % of the values at or below
 * it): every reported value is one that was measured, and scripts/bench/airflow_harness.py uses
 * the same definition, so the two sides are comparable.
 */

export interface Spread {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

const finite = (values: readonly number[]): number[] => values.filter((v) => Number.isFinite(v));

/** Nearest-rank percentile, `p` in [0, 100]; undefined for no values. Ignores NaN and infinities. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile expects p in [0, 100], got ${p}`);
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/**
 * The middle value; for an even count the mean of the two middle ones (so the median of 2 runs is
 * their mean, not the lower one, unlike p50).
 */
export function median(values: readonly number[]): number | undefined {
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function min(values: readonly number[]): number | undefined {
  const kept = finite(values);
  return kept.length === 0 ? undefined : kept.reduce((a, b) => (b < a ? b : a));
}

export function max(values: readonly number[]): number | undefined {
  const kept = finite(values);
  return kept.length === 0 ? undefined : kept.reduce((a, b) => (b > a ? b : a));
}

function mean(values: readonly number[]): number | undefined {
  const kept = finite(values);
  return kept.length === 0 ? undefined : kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** count, min, p50, p99, max, mean; undefined for no values. */
export function spread(values: readonly number[]): Spread | undefined {
  const kept = finite(values);
  if (kept.length === 0) return undefined;
  return {
    count: kept.length,
    min: min(kept)!,
    p50: percentile(kept, 50)!,
    p99: percentile(kept, 99)!,
    max: max(kept)!,
    mean: mean(kept)!,
  };
}

/** ours / airflow; undefined when either is missing or airflow is 0. */
export function ratio(ours: number | undefined, airflow: number | undefined): number | undefined {
  if (ours === undefined || airflow === undefined || !Number.isFinite(ours) || !Number.isFinite(airflow) || airflow === 0) return undefined;
  return ours / airflow;
}

/** One figure over several runs: the median is what the benchmark reports, min/max show the spread. */
export interface RunsFigure {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order; undefined where a run did not measure the figure. */
  values: (number | undefined)[];
}

export type Figures<K extends string> = Partial<Record<K, number | undefined>>;

/**
 * Combines runs figure by figure ("median of 3 runs"). A figure missing from some runs is the
 * median of the runs that have it; a figure no run has is left out.
 */
export function combineRuns<K extends string>(runs: readonly Figures<K>[]): Partial<Record<K, RunsFigure>> {
  const keys = new Set<K>();
  for (const run of runs) for (const key of Object.keys(run) as K[]) keys.add(key);
  const combined: Partial<Record<K, RunsFigure>> = {};
  for (const key of keys) {
    const values = runs.map((run) => {
      const value = run[key];
      return value !== undefined && Number.isFinite(value) ? value : undefined;
    });
    const present = values.filter((v): v is number => v !== undefined);
    if (present.length === 0) continue;
    combined[key] = { median: median(present)!, min: min(present)!, max: max(present)!, values };
  }
  return combined;
}

type Cell = number | RunsFigure | undefined;

export interface ComparisonRow {
  figure: string;
  ours: Cell;
  airflow: Cell;
  /** Decimal places for ours and airflow (default: see formatNumber). */
  digits?: number;
  /** Appended to both values, e.g. ' s' or ' ms'. */
  unit?: string;
  /** Which direction is better; adds "better"/"worse" after the ratio. */
  better?: 'higher' | 'lower';
}

const cellValue = (cell: Cell): number | undefined => (typeof cell === 'object' ? cell.median : cell);

/**
 * A number for a table: `digits` decimals when given, else enough to show 3 significant digits
 * (no more than 3 decimals), with thousands separators for large values.
 */
export function formatNumber(value: number | undefined, digits?: number): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  const decimals = digits ?? (Math.abs(value) >= 100 || value === 0 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function formatCell(cell: Cell, digits: number | undefined, unit: string): string {
  if (cell === undefined) return 'n/a';
  if (typeof cell === 'number') return `${formatNumber(cell, digits)}${unit}`;
  const runs = cell.values.filter((v) => v !== undefined).length;
  const range = runs > 1 ? ` (${formatNumber(cell.min, digits)}–${formatNumber(cell.max, digits)})` : '';
  return `${formatNumber(cell.median, digits)}${unit}${range}`;
}

export function formatRatio(value: number | undefined, better?: 'higher' | 'lower'): string {
  if (value === undefined) return 'n/a';
  const text = `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
  if (better === undefined || value === 1) return text;
  const good = better === 'higher' ? value > 1 : value < 1;
  return `${text} ${good ? 'better' : 'worse'}`;
}

/** A pipe table (Markdown-compatible): first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) throw new RangeError(`table row ${i} has ${row.length} cells, the header ${header.length}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * "figure | ours | Airflow | ours / Airflow" rows. Cells holding several runs print as
 * "median (min–max)" and the ratio is of the medians.
 */
export function formatComparisonTable(rows: readonly ComparisonRow[], labels: { ours?: string; airflow?: string } = {}): string {
  const ours = labels.ours ?? 'ours';
  const airflow = labels.airflow ?? 'Airflow';
  return formatTable(
    ['figure', ours, airflow, `${ours} / ${airflow}`],
    rows.map((row) => {
      const unit = row.unit ?? '';
      return [
        row.figure,
        formatCell(row.ours, row.digits, unit),
        formatCell(row.airflow, row.digits, unit),
        formatRatio(ratio(cellValue(row.ours), cellValue(row.airflow)), row.better),
      ];
    }),
  );
}

/** Prints formatComparisonTable line by line through `say` (e.g. the benchmark's stdout writer). */
export function printComparisonTable(rows: readonly ComparisonRow[], say: (line: string) => void, labels?: { ours?: string; airflow?: string }): void {
  for (const line of formatComparisonTable(rows, labels).split('\n')) say(line);
}
