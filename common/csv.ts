// The browser build: it carries its own Buffer, which the renderer lacks (the Node build would need Node's).
import { stringify } from 'csv-stringify/browser/esm/sync';

export type CsvCell = string | number | null;

/**
 * A CSV file's text: the header, then one line per row, every line ended. Cells holding the delimiter, a quote or a
 * line break are quoted (RFC 4180); null is an empty cell. Plain TypeScript: the CLI, the core and the renderer's
 * downloads all write CSV through it.
 */
export function csvText(
  header: readonly string[],
  rows: ReadonlyArray<readonly CsvCell[]>,
  options: { delimiter?: string; lineBreak?: '\n' | '\r\n' } = {},
): string {
  return stringify([header, ...rows], {
    delimiter: options.delimiter ?? ',',
    record_delimiter: options.lineBreak === '\r\n' ? 'windows' : 'unix',
    // csv-stringify quotes only the line break it writes between rows; a cell with the other must be quoted too.
    quoted_match: /[\r\n]/,
  });
}
