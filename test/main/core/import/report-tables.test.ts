import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReportTable } from '../../../../main/core/import/report-tables.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('report tables', () => {
  const folder = temporaryLibrary();
  afterAll(() => folder.remove());
  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(folder.path, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it.each([
    [',', 'a.csv'],
    [';', 'b.csv'],
    ['\t', 'c.tsv'],
  ])('detects the %j delimiter and keeps quoted multi-line text', (delimiter, name) => {
    const table = readReportTable(
      write(
        name,
        `accession${delimiter}report\nA1${delimiter}"FINDINGS: clear${delimiter} no effusion.\nIMPRESSION: normal."\nA2${delimiter}short\n`,
      ),
    );
    expect(table.delimiter).toBe(delimiter);
    expect(table.rows.map((row) => row.values)).toEqual([
      { accession: 'A1', report: `FINDINGS: clear${delimiter} no effusion.\nIMPRESSION: normal.` },
      { accession: 'A2', report: 'short' },
    ]);
  });

  it('reads Latin-1 files and drops a UTF-8 byte-order mark', () => {
    expect(
      readReportTable(write('latin.csv', Buffer.from('accession,report\nA1,Épanchement pleural à droite\n', 'latin1'))),
    ).toMatchObject({
      encoding: 'windows-1252',
      rows: [{ values: { accession: 'A1', report: 'Épanchement pleural à droite' } }],
    });
    const bom = readReportTable(
      write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('accession,report\nA1,ok\n')])),
    );
    expect(bom.rows[0]!.values).toEqual({ accession: 'A1', report: 'ok' });
  });

  it('keeps every complete row of a half-written file and says what it could not read', () => {
    const table = readReportTable(write('half.csv', 'accession,report\nA1,first\nA2,"second\nA3,"never closed'));
    expect(table.rows.map((row) => row.values.accession)).toEqual(['A1']);
    expect(table.problems.length + table.rows.length).toBeGreaterThan(0);
    expect(table.problems.join(' ')).toMatch(/quote|Quote|closing/);
  });

  it('reads JSONL, reporting broken lines by number', () => {
    const table = readReportTable(
      write(
        'r.jsonl',
        '{"accession":"A1","report":"ok"}\n{"accession": "A2", "report": \n[1,2]\n{"accession":"A3","report":null}\n',
      ),
    );
    expect(table.rows.map((row) => row.values)).toEqual([
      { accession: 'A1', report: 'ok' },
      { accession: 'A3', report: '' },
    ]);
    expect(table.problems).toHaveLength(2);
    expect(table.problems[0]).toMatch(/^line 2:/);
  });
});
