import fs from 'node:fs';
import path from 'node:path';
import { drawChest, type ChestImage } from './chest-phantom.js';
import { ctRescaleIntercept, drawCtSeries } from './ct-phantom.js';
import { enlargeFilm } from './film-size.js';
import { drawLateralChest } from './lateral-phantom.js';
import { demoTransferSyntaxes, writeDicomFile, type DemoTransferSyntax } from './dicom-writer.js';
import { findingNames, sampleFindings, type Finding } from './findings.js';
import { writeReport } from './report-writer.js';
import { SeededRandom } from '../../common/seeded-random.js';
import { csvText } from '../../common/csv.js';

export interface GenerateHospitalOptions {
  directory: string;
  studies: number;
  seed: string;
  /** Share of chest studies that also get a lateral view (a second series); 0 keeps one film a study. */
  lateralFraction?: number;
  /** Films this wide (2,048–3,000 px is a real detector's), enlarged from the phantom's size; unset: the phantom's. */
  filmSize?: number;
  /** Chest CT studies written besides the radiographs, each one axial series of `ctSlices` slices. */
  ctStudies?: number;
  ctSlices?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedHospital {
  directory: string;
  seed: string;
  patients: number;
  studies: number;
  images: number;
  lateralViews: number;
  ctStudies: number;
  abnormalStudies: number;
  reports: { csv: number; textFiles: number; none: number; unmatchedRows: number };
  transferSyntaxes: Record<string, number>;
  brokenFiles: string[];
}

export const minimumStudies = 50;
export const maximumStudies = 100_000;

const surnames = [
  'Smith',
  'Jones',
  'Müller',
  'García',
  'Nguyen',
  "O'Brien",
  'Kowalski',
  'Rossi',
  'Dubois',
  'Andersen',
  'Sato',
  'Novák',
  'Silva',
  'Papadopoulos',
  'Haddad',
  'Okafor',
];
const givenNames = [
  'John',
  'Maria',
  'Zoë',
  'José',
  'Anna',
  'Li',
  'Fatima',
  'Lars',
  'Amélie',
  'Piotr',
  'Yuki',
  'Chen',
  'Olga',
  'Ahmed',
  'Grace',
  'Tomás',
];
const syntaxMix: Array<[DemoTransferSyntax, number]> = [
  [demoTransferSyntaxes.explicitLittleEndian, 0.36],
  [demoTransferSyntaxes.implicitLittleEndian, 0.15],
  [demoTransferSyntaxes.deflated, 0.08],
  [demoTransferSyntaxes.rle, 0.13],
  [demoTransferSyntaxes.jpegLsLossless, 0.12],
  [demoTransferSyntaxes.jpeg2000Lossless, 0.12],
  [demoTransferSyntaxes.htj2kLossless, 0.04],
];

interface PlannedStudy {
  index: number;
  patientIndex: number;
  accessionNumber: string;
  studyDate: string;
  findings: Finding[];
  reportRoute: 'csv' | 'text' | 'none';
}

interface Patient {
  id: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  folder: string;
}

function pickSyntax(random: SeededRandom): DemoTransferSyntax {
  let threshold = random.next();
  for (const [syntax, share] of syntaxMix) {
    threshold -= share;
    if (threshold <= 0) return syntax;
  }
  return demoTransferSyntaxes.explicitLittleEndian;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

function planHospital(random: SeededRandom, studyCount: number): { patients: Patient[]; studies: PlannedStudy[] } {
  const patientCount = Math.max(1, Math.round(studyCount / 1.6));
  const patients: Patient[] = Array.from({ length: patientCount }, (_, index) => {
    const sex = random.chance(0.5) ? 'M' : 'F';
    return {
      id: `MRN${random.digits(7)}`,
      name: `${random.pick(surnames).toUpperCase()}^${random.pick(givenNames)}`,
      sex,
      birthDate: isoDate(new Date(Date.UTC(random.integer(1935, 2004), random.integer(0, 11), random.integer(1, 28)))),
      folder: `PAT_${String(index + 1).padStart(5, '0')}`,
    };
  });
  const studies: PlannedStudy[] = Array.from({ length: studyCount }, (_, index) => {
    const patientIndex = index < patientCount ? index : random.integer(0, patientCount - 1);
    const route = random.next();
    return {
      index,
      patientIndex,
      accessionNumber: `ACC${String(10_000_000 + index * 7 + random.integer(0, 6))}`,
      studyDate: isoDate(new Date(Date.UTC(2018, 0, 1) + random.integer(0, 6 * 365) * 86_400_000)),
      findings: sampleFindings(random),
      reportRoute: route < 0.74 ? 'csv' : route < 0.94 ? 'text' : 'none',
    };
  });
  return { patients, studies };
}

function dataset(
  random: SeededRandom,
  study: PlannedStudy,
  patient: Patient,
  image: ReturnType<typeof drawChest>,
  studyUid: string,
  seriesUid: string,
  monochrome1: boolean,
  modality: 'DX' | 'CR',
  view: string,
  series: { number: number; instance: number } = { number: 1, instance: 1 },
): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: modality === 'DX' ? '1.2.840.10008.5.1.4.1.1.1.1' : '1.2.840.10008.5.1.4.1.1.1',
    SOPInstanceUID: random.uid(),
    StudyDate: study.studyDate,
    SeriesDate: study.studyDate,
    StudyTime: `${String(random.integer(7, 20)).padStart(2, '0')}${String(random.integer(0, 59)).padStart(2, '0')}00`,
    AccessionNumber: study.accessionNumber,
    Modality: modality,
    ...(modality === 'DX' ? { PresentationIntentType: 'FOR PRESENTATION' } : {}),
    Manufacturer: 'Unisight synthetic',
    InstitutionName: 'Synthetic General Hospital',
    StudyDescription: `XR CHEST ${view}`,
    SeriesDescription: view,
    PatientName: patient.name,
    PatientID: patient.id,
    PatientBirthDate: patient.birthDate,
    PatientSex: patient.sex,
    BodyPartExamined: 'CHEST',
    ViewPosition: view,
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: seriesUid,
    StudyID: String(study.index + 1),
    SeriesNumber: String(series.number),
    InstanceNumber: String(series.instance),
    PatientOrientation: view === 'LL' ? ['A', 'F'] : ['L', 'F'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: monochrome1 ? 'MONOCHROME1' : 'MONOCHROME2',
    Rows: image.height,
    Columns: image.width,
    PixelSpacing: ['0.7', '0.7'],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: String(monochrome1 ? 4095 - image.windowCenter : image.windowCenter),
    WindowWidth: String(image.windowWidth),
    RescaleIntercept: '0',
    RescaleSlope: '1',
  };
}

/** One axial CT slice: 5 mm apart from the apices down, Hounsfield units by the rescale, a lung window. */
function ctDataset(
  random: SeededRandom,
  study: PlannedStudy,
  patient: Patient,
  image: ChestImage,
  place: { studyUid: string; seriesUid: string; slice: number; slices: number },
): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: random.uid(),
    StudyDate: study.studyDate,
    SeriesDate: study.studyDate,
    StudyTime: '120000',
    AccessionNumber: study.accessionNumber,
    Modality: 'CT',
    Manufacturer: 'Unisight synthetic',
    InstitutionName: 'Synthetic General Hospital',
    StudyDescription: 'CT CHEST',
    SeriesDescription: 'AXIAL 5mm',
    PatientName: patient.name,
    PatientID: patient.id,
    PatientBirthDate: patient.birthDate,
    PatientSex: patient.sex,
    BodyPartExamined: 'CHEST',
    StudyInstanceUID: place.studyUid,
    SeriesInstanceUID: place.seriesUid,
    StudyID: String(study.index + 1),
    SeriesNumber: '2',
    InstanceNumber: String(place.slice + 1),
    ImagePositionPatient: ['-180', '-180', String(-5 * place.slice)],
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    SliceThickness: '5',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: image.height,
    Columns: image.width,
    PixelSpacing: [String(360 / image.width), String(360 / image.width)],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: String(image.windowCenter + ctRescaleIntercept),
    WindowWidth: String(image.windowWidth),
    RescaleIntercept: String(ctRescaleIntercept),
    RescaleSlope: '1',
    RescaleType: 'HU',
  };
}

/**
 * Writes a synthetic hospital export: chest DX/CR studies as real DICOM in a mix of transfer syntaxes, nested
 * patient/study/series folders, free-text reports (in a CSV, as .txt beside the study, or missing), a labels CSV,
 * a manifest that maps both, ground truth for evaluation, and a few broken files. Same seed, same bytes.
 */
export async function generateHospital(options: GenerateHospitalOptions): Promise<GeneratedHospital> {
  if (!Number.isInteger(options.studies) || options.studies < minimumStudies || options.studies > maximumStudies) {
    throw new Error(`--studies must be a whole number from ${minimumStudies} to ${maximumStudies}.`);
  }
  const directory = path.resolve(options.directory);
  if (fs.existsSync(directory) && fs.readdirSync(directory).length > 0)
    throw new Error(`${directory} is not empty; choose a new folder.`);
  fs.mkdirSync(directory, { recursive: true });
  const plan = planHospital(new SeededRandom(`${options.seed}:plan`), options.studies);
  const summary: GeneratedHospital = {
    directory,
    seed: options.seed,
    patients: plan.patients.length,
    studies: plan.studies.length,
    images: 0,
    lateralViews: 0,
    ctStudies: 0,
    abnormalStudies: 0,
    reports: { csv: 0, textFiles: 0, none: 0, unmatchedRows: 0 },
    transferSyntaxes: {},
    brokenFiles: [],
  };
  const reportRows: string[][] = [];
  const labelRows: string[][] = [];
  const truth: string[] = [];
  let firstImage: string | null = null;

  const sized = (image: ChestImage, stream: string): ChestImage =>
    options.filmSize ? enlargeFilm(image, options.filmSize, new SeededRandom(`${options.seed}:${stream}`)) : image;

  /** A study's report (in the CSV, as report.txt beside it, or missing), its labels and its ground truth. */
  const recordStudy = (
    random: SeededRandom,
    study: PlannedStudy,
    studyFolder: string,
    studyUid: string,
    report: string,
  ): void => {
    if (study.findings.length > 0) summary.abnormalStudies += 1;
    if (study.reportRoute === 'csv') {
      reportRows.push([study.accessionNumber, report]);
      summary.reports.csv += 1;
    } else if (study.reportRoute === 'text') {
      const latin1 = random.chance(0.3) && [...report].every((character) => character.charCodeAt(0) <= 0xff);
      fs.writeFileSync(path.join(studyFolder, 'report.txt'), latin1 ? Buffer.from(report, 'latin1') : report);
      summary.reports.textFiles += 1;
    } else {
      summary.reports.none += 1;
    }
    const present = new Set(study.findings.map((finding) => finding.name));
    labelRows.push([
      study.accessionNumber,
      ...findingNames.map((name) => (present.has(name) ? '1' : '0')),
      study.findings.length > 0 ? '1' : '0',
    ]);
    truth.push(
      JSON.stringify({
        accession_number: study.accessionNumber,
        study_instance_uid: studyUid,
        findings: study.findings,
      }),
    );
  };

  for (const study of plan.studies) {
    const random = new SeededRandom(`${options.seed}:study:${study.index}`);
    const patient = plan.patients[study.patientIndex]!;
    const modality = random.chance(0.6) ? 'DX' : 'CR';
    const view = random.chance(0.8) ? 'PA' : 'AP';
    // Enlarged on a stream of its own: a seed's films are the same drawings at any size.
    const image = sized(drawChest(random, study.findings), `film:${study.index}`);
    const monochrome1 = modality === 'CR' && random.chance(0.35);
    if (monochrome1)
      for (let index = 0; index < image.pixels.length; index++) image.pixels[index] = 4095 - image.pixels[index]!;
    const syntax = pickSyntax(random);
    const studyUid = random.uid();
    const seriesUid = random.uid();
    const studyFolder = path.join(directory, patient.folder, `${study.studyDate}_${study.accessionNumber}`);
    const seriesFolder = path.join(studyFolder, `SER_${modality}_1`);
    fs.mkdirSync(seriesFolder, { recursive: true });
    const file = path.join(seriesFolder, random.chance(0.5) ? 'IM000001' : 'IM000001.dcm');
    fs.writeFileSync(
      file,
      await writeDicomFile(
        dataset(random, study, patient, image, studyUid, seriesUid, monochrome1, modality, view),
        image,
        syntax,
      ),
    );
    firstImage ??= file;
    summary.images += 1;
    summary.transferSyntaxes[syntax] = (summary.transferSyntaxes[syntax] ?? 0) + 1;

    // A lateral view draws from a stream of its own, so that studies without one keep their bytes for a seed.
    const lateralRandom = new SeededRandom(`${options.seed}:lateral:${study.index}`);
    const lateral = lateralRandom.chance(options.lateralFraction ?? 0);
    if (lateral) {
      const lateralFolder = path.join(studyFolder, `SER_${modality}_2`);
      fs.mkdirSync(lateralFolder, { recursive: true });
      const lateralImage = sized(drawLateralChest(lateralRandom, study.findings), `lateral-film:${study.index}`);
      const lateralData = dataset(
        lateralRandom,
        study,
        patient,
        lateralImage,
        studyUid,
        lateralRandom.uid(),
        false,
        modality,
        'LL',
        {
          number: 2,
          instance: 1,
        },
      );
      fs.writeFileSync(
        path.join(lateralFolder, 'IM000001.dcm'),
        await writeDicomFile(lateralData, lateralImage, syntax),
      );
      summary.images += 1;
      summary.lateralViews += 1;
    }
    recordStudy(
      random,
      study,
      studyFolder,
      studyUid,
      writeReport(random, study.findings, lateral ? `${view} AND LATERAL` : view),
    );
    options.onProgress?.(study.index + 1, plan.studies.length);
  }

  for (let ct = 0; ct < (options.ctStudies ?? 0); ct++) {
    // CT studies after the radiographs, each on a stream of its own: adding them changes no radiograph.
    const random = new SeededRandom(`${options.seed}:ct:${ct}`);
    const study: PlannedStudy = {
      index: plan.studies.length + ct,
      patientIndex: random.integer(0, plan.patients.length - 1),
      accessionNumber: `ACC${String(20_000_000 + ct * 7 + random.integer(0, 6))}`,
      studyDate: isoDate(new Date(Date.UTC(2018, 0, 1) + random.integer(0, 6 * 365) * 86_400_000)),
      findings: sampleFindings(random),
      reportRoute: random.next() < 0.8 ? 'csv' : 'text',
    };
    const patient = plan.patients[study.patientIndex]!;
    const slices = drawCtSeries(random, study.findings, options.ctSlices ?? 24);
    const studyUid = random.uid();
    const seriesUid = random.uid();
    const studyFolder = path.join(directory, patient.folder, `${study.studyDate}_${study.accessionNumber}`);
    const seriesFolder = path.join(studyFolder, 'SER_CT_2');
    fs.mkdirSync(seriesFolder, { recursive: true });
    for (const [slice, image] of slices.entries()) {
      const data = ctDataset(random, study, patient, image, { studyUid, seriesUid, slice, slices: slices.length });
      fs.writeFileSync(
        path.join(seriesFolder, `IM${String(slice + 1).padStart(6, '0')}.dcm`),
        await writeDicomFile(data, image, demoTransferSyntaxes.explicitLittleEndian),
      );
    }
    summary.images += slices.length;
    summary.ctStudies += 1;
    summary.studies += 1;
    recordStudy(
      random,
      study,
      studyFolder,
      studyUid,
      writeReport(random, study.findings, 'AXIAL', 'CT CHEST WITHOUT CONTRAST'),
    );
  }

  for (const missing of ['ACC09999991', 'ACC09999992']) {
    reportRows.push([missing, 'FINDINGS: No acute abnormality.\nIMPRESSION: Normal study.']);
    summary.reports.unmatchedRows += 1;
  }
  // Like exports from different systems: Windows line ends in one table, another delimiter in the other.
  fs.writeFileSync(
    path.join(directory, 'reports.csv'),
    csvText(['accession_number', 'report_text'], reportRows, { lineBreak: '\r\n' }),
  );
  fs.writeFileSync(
    path.join(directory, 'labels.csv'),
    csvText(['accession_number', ...findingNames, 'abnormal'], labelRows, { delimiter: ';' }),
  );
  fs.writeFileSync(path.join(directory, 'ground-truth.jsonl'), `${truth.join('\n')}\n`);
  fs.writeFileSync(
    path.join(directory, 'unisight-manifest.json'),
    `${JSON.stringify(
      {
        version: 1,
        tables: [
          { file: 'reports.csv', match: 'accession-number', keyColumn: 'accession_number', textColumn: 'report_text' },
          {
            file: 'labels.csv',
            match: 'accession-number',
            keyColumn: 'accession_number',
            labelColumns: [...findingNames, 'abnormal'],
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
  summary.brokenFiles = writeBrokenFiles(directory, firstImage!);
  return summary;
}

/** What real exports contain besides good files: OS litter, a PDF, an empty file, a truncated and a corrupt DICOM. */
function writeBrokenFiles(directory: string, sampleImage: string): string[] {
  const sample = fs.readFileSync(sampleImage);
  const corrupt = Buffer.from(sample);
  corrupt.fill(0xff, 132, Math.min(corrupt.length, 400));
  const broken: Array<[string, Uint8Array | string]> = [
    ['.DS_Store', Buffer.from('Bud1\0\0\0\0junk')],
    ['export-summary.pdf', '%PDF-1.4\n% synthetic\n'],
    [path.join('PAT_00001', 'IM_EMPTY'), ''],
    [path.join('PAT_00001', 'IM_TRUNCATED.dcm'), sample.subarray(0, Math.floor(sample.length * 0.55))],
    [path.join('PAT_00002', 'IM_CORRUPT'), corrupt],
    [path.join('PAT_00002', 'notes.bin'), Buffer.from(Array.from({ length: 512 }, (_, index) => (index * 73) % 251))],
  ];
  for (const [name, content] of broken) fs.writeFileSync(path.join(directory, name), content);
  return broken.map(([name]) => name);
}
