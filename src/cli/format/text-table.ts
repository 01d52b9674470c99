/** Plain-text tables for terminals and logs: padded columns, long cells cut with an ellipsis. */

/** One column of {@link renderTable}. */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  /** Longest cell kept; longer text is cut with `…`. @default no limit */
  maxWidth?: number;
}

/** Renders rows under a header line, columns separated by two spaces; returns the lines. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string[] {
  const cells = rows.map((row) => columns.map((column) => fit(oneLine(column.cell(row)), column.maxWidth)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

/** Cuts `text` to `max` characters, ending with `…` when cut. */
export function fit(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
