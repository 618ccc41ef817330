import {
  ImportParameters,
  ImportSummary,
  tableMatchKinds,
  type ReportTableMapping,
} from '../../../common/contract/index.js';
import { ownPeakResidentBytes } from '../../core/child-process/process-memory.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { CliUsageError, commonOptions, type CliCommand } from '../cli-command.js';

function tableFromFlags(values: Record<string, string | boolean | undefined>): ReportTableMapping[] {
  if (values.table === undefined) return [];
  if (!values.match || !values['key-column'])
    throw new CliUsageError(`--table needs --match (${tableMatchKinds.join('|')}) and --key-column.`);
  return [
    {
      file: String(values.table),
      match: values.match as ReportTableMapping['match'],
      keyColumn: String(values['key-column']),
      dateColumn: values['date-column'] as string | undefined,
      textColumn: values['text-column'] as string | undefined,
      labelColumns: values['label-columns']
        ? String(values['label-columns'])
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean)
        : [],
    },
  ];
}

export function describeImport(summary: ImportSummary): string {
  const lines = [
    `Imported ${summary.folder}`,
    `  files: ${summary.files.total} seen, ${summary.files.processed} processed, ${summary.files.unchanged} unchanged since the last import`,
    `  outcomes: ${summary.outcomes.imported} imported, ${summary.outcomes.duplicate} duplicate, ${summary.outcomes.skipped} skipped, ${summary.outcomes.failed} failed`,
    `  catalog: ${summary.studies} studies, ${summary.images} images, ${summary.studiesWithoutReports} studies without a report`,
    `  reports: ${summary.reports.linked} linked, ${summary.reports.unmatched} unmatched`,
    ...summary.tables.map(
      (table) =>
        `  table ${table.file}: ${table.matchedRows}/${table.rows} rows matched, ${table.labelsWritten} labels${table.problems.length ? `, ${table.problems.length} problem(s): ${table.problems[0]}` : ''}`,
    ),
    ...summary.reasons.slice(0, 15).map((reason) => `  ${reason.outcome} ×${reason.count}: ${reason.reason}`),
  ];
  return lines.join('\n');
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import a folder of DICOM studies and their reports into the library; re-running it only adds what changed.',
  usage:
    'unisight import <folder> [--table FILE --match KIND --key-column C [--date-column D] [--text-column T] [--label-columns A,B]] [--keep-identifiers] [--pseudonymise-paths] [--ignore-manifest] [--library DIR] [--json]',
  options: {
    ...commonOptions,
    table: { type: 'string' },
    match: { type: 'string' },
    'key-column': { type: 'string' },
    'date-column': { type: 'string' },
    'text-column': { type: 'string' },
    'label-columns': { type: 'string' },
    'keep-identifiers': { type: 'boolean', default: false },
    'pseudonymise-paths': { type: 'boolean', default: false },
    'ignore-manifest': { type: 'boolean', default: false },
  },
  optionHelp: {
    table: 'a CSV/TSV report or label table to link (a manifest in the folder is used when this is absent)',
    match: `how table rows find their studies: ${tableMatchKinds.join(', ')}`,
    'key-column': 'the table column holding the value matched by --match',
    'date-column': "a column with the study date, to pick among a patient's studies",
    'text-column': 'the column holding the report text',
    'label-columns': 'comma-separated columns holding per-study labels (stored as written; blank cells are skipped)',
    'keep-identifiers': 'also keep the original patient IDs and names in the catalog (pseudonyms are made either way)',
    'ignore-manifest':
      "link no report tables by the folder's unisight-manifest.json (tables named with --table replace it anyway)",
    'pseudonymise-paths':
      'catalogue folder and file names as keyed pseudonyms, for folders named after patients (a new library only; then always on)',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length !== 1) throw new CliUsageError('import needs exactly one folder.');
    const parameters = ImportParameters.parse({
      folder: positionals[0],
      tables: tableFromFlags(values),
      keepIdentifiers: values['keep-identifiers'] === true,
      pseudonymisePaths: values['pseudonymise-paths'] === true,
      useManifest: values['ignore-manifest'] !== true,
    });
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const job = await runJobToEnd(core, await core.handlers['import.start'](parameters), output);
      const summary = job.result ? ImportSummary.parse(job.result) : null;
      if (job.state === 'failed' || !summary) {
        output.result({ job }, `Import ${job.state}${job.error ? `: ${job.error}` : ''}`);
        return 1;
      }
      // This process's peak plus each worker process's: an upper bound on what the import held at any one time.
      const peakResidentBytes = ownPeakResidentBytes() + (summary.workerPeakResidentBytes ?? 0);
      // The import queued the embedding of its new images for search when the library has a model: see it through.
      const embedJob = (await core.handlers['jobs.list']({ limit: 10 })).find(
        (candidate) =>
          candidate.kind === 'model.embed' && (candidate.state === 'queued' || candidate.state === 'running'),
      );
      const embedded = embedJob ? await runJobToEnd(core, embedJob, output) : null;
      const embedding = embedded
        ? `\n  search: ${embedded.state === 'succeeded' ? `${String((embedded.result as { embeddedImages?: number }).embeddedImages)} images embedded by the active model` : `embedding ${embedded.state}${embedded.error ? `: ${embedded.error}` : ''}`}`
        : '';
      output.result(
        {
          state: job.state,
          jobId: job.id,
          ...summary,
          peakResidentBytes,
          embedding: embedded ? { state: embedded.state, result: embedded.result } : null,
        },
        `${job.state === 'cancelled' ? 'Cancelled; what was done is kept. ' : ''}${describeImport(summary)}\n  peak memory: ${(peakResidentBytes / 1024 ** 2).toFixed(0)} MB${embedding}`,
      );
      return job.state === 'cancelled' ? 130 : 0;
    } finally {
      await core.close();
    }
  },
};
