import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { findingNames } from '../../../main/demo/findings.js';
import { readReportTable } from '../../../main/core/import/report-tables.js';
import { demoExport, runCli } from '../../support/demo-export.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

function fingerprint(folder: string): Record<string, string> {
  const result: Record<string, string> = {};
  const visit = (directory: string): void => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else result[path.relative(folder, full)] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  visit(folder);
  return result;
}

const keywords: Record<string, RegExp> = {
  nodule: /nodul|rounded opacity/i,
  consolidation: /consolidation|airspace/i,
  effusion: /effusion/i,
  cardiomegaly: /cardiomegaly|heart is enlarged|enlarged (cardiac|heart)|cardiac silhouette is enlarged/i,
  pneumothorax: /pneumothorax/i,
};

describe('unisight demo-data', () => {
  const workspace = temporaryLibrary();
  afterAll(() => workspace.remove());

  it('writes the same bytes for the same seed', () => {
    const again = path.join(workspace.path, 'again');
    const run = runCli(['demo-data', again, '--studies', '50', '--seed', 'test', '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(fingerprint(again)).toEqual(fingerprint(demoExport(50, 'test')));
  }, 120_000);

  it("writes films a real detector's size on request: the same studies and reports, larger pixels", () => {
    const large = path.join(workspace.path, 'large');
    const run = runCli(['demo-data', large, '--studies', '50', '--seed', 'test', '--film-size', '1024', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const small = demoExport(50, 'test');
    expect(fs.readFileSync(path.join(large, 'reports.csv'))).toEqual(fs.readFileSync(path.join(small, 'reports.csv')));
    const films = (fs.readdirSync(large, { recursive: true }) as string[]).filter((file) =>
      /SER_(DX|CR)_1[/\\]IM/.test(file),
    );
    expect(films).toHaveLength(50);
    for (const film of films.slice(0, 5)) {
      const dataSet = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(path.join(large, film))));
      expect(dataSet.uint16('x00280011')).toBe(1024);
      expect(dataSet.uint16('x00280010')).toBeGreaterThan(1000);
    }
    expect(runCli(['demo-data', path.join(workspace.path, 'odd'), '--film-size', '1023']).status).toBe(2);
  }, 120_000);

  it('writes labels that agree with the ground truth and with the report text', () => {
    const folder = demoExport(50, 'test');
    const truth = new Map(
      fs
        .readFileSync(path.join(folder, 'ground-truth.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const parsed = JSON.parse(line) as { accession_number: string; findings: Array<{ name: string }> };
          return [parsed.accession_number, new Set(parsed.findings.map((finding) => finding.name))];
        }),
    );
    const labels = readReportTable(path.join(folder, 'labels.csv'));
    expect(labels.delimiter).toBe(';');
    const reports = new Map(
      readReportTable(path.join(folder, 'reports.csv')).rows.map((row) => [
        row.values.accession_number!,
        row.values.report_text!,
      ]),
    );
    let abnormal = 0;
    for (const row of labels.rows) {
      const present = truth.get(row.values.accession_number!)!;
      for (const name of findingNames)
        expect(row.values[name], `${row.values.accession_number} ${name}`).toBe(present.has(name) ? '1' : '0');
      expect(row.values.abnormal).toBe(present.size > 0 ? '1' : '0');
      abnormal += present.size > 0 ? 1 : 0;
      const report = reports.get(row.values.accession_number!);
      if (report) for (const name of present) expect(report, name).toMatch(keywords[name]!);
    }
    expect(abnormal / labels.rows.length).toBeGreaterThan(0.3);
    expect(abnormal / labels.rows.length).toBeLessThan(0.7);
  });

  it('refuses a study count outside 50–100,000 with a one-line reason', () => {
    const run = runCli(['demo-data', path.join(workspace.path, 'tiny'), '--studies', '5']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('unisight: --studies must be a whole number from 50 to 100000.');
  });
});
