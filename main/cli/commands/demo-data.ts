import { generateHospital, maximumStudies, minimumStudies } from '../../demo/generate-hospital.js';
import { CliUsageError, commonOptions, integerOption, numberOption, type CliCommand } from '../cli-command.js';

export const demoDataCommand: CliCommand = {
  name: 'demo-data',
  summary: `Write a synthetic hospital export (chest DX/CR DICOM, reports, labels, manifest) into a new folder; seeded and deterministic.`,
  usage: `unisight demo-data <folder> [--studies N (${minimumStudies}–${maximumStudies}, default 200)] [--lateral-fraction F] [--ct-studies N] [--ct-slices N] [--film-size N] [--seed S] [--json]`,
  options: {
    ...commonOptions,
    studies: { type: 'string' },
    seed: { type: 'string' },
    'lateral-fraction': { type: 'string' },
    'ct-studies': { type: 'string' },
    'ct-slices': { type: 'string' },
    'film-size': { type: 'string' },
  },
  optionHelp: {
    studies: 'how many chest radiograph studies to write (50–100,000; default 200)',
    'lateral-fraction': 'share of those that also get a lateral view, as a second series (0–1; default 0)',
    'ct-studies': 'chest CT studies to write besides them, one axial series each (default 0)',
    'ct-slices': 'slices of each CT series (2–400; default 24)',
    'film-size':
      "films this many pixels wide, as a real detector's (512–4,096; 2,048–3,000 is realistic); default: about 450, quick to import",
    seed: 'seed for every random choice (default "unisight"); same seed, same bytes',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length !== 1) throw new CliUsageError('demo-data needs exactly one folder to write into.');
    const studies = integerOption(values.studies, 'studies') ?? 200;
    const lateralFraction = numberOption(values['lateral-fraction'], 'lateral-fraction') ?? 0;
    if (lateralFraction < 0 || lateralFraction > 1)
      throw new CliUsageError('--lateral-fraction is a share from 0 to 1.');
    const ctStudies = integerOption(values['ct-studies'], 'ct-studies') ?? 0;
    if (ctStudies < 0 || ctStudies > maximumStudies) throw new CliUsageError(`--ct-studies is 0 to ${maximumStudies}.`);
    const ctSlices = integerOption(values['ct-slices'], 'ct-slices') ?? 24;
    if (ctSlices < 2 || ctSlices > 400) throw new CliUsageError('--ct-slices is 2 to 400.');
    const filmSize = integerOption(values['film-size'], 'film-size');
    if (filmSize !== undefined && (filmSize < 512 || filmSize > 4096 || filmSize % 2 !== 0))
      throw new CliUsageError('--film-size is an even number of pixels from 512 to 4096.');
    let lastShown = 0;
    const summary = await generateHospital({
      directory: positionals[0]!,
      studies,
      lateralFraction,
      ctStudies,
      ctSlices,
      ...(filmSize ? { filmSize } : {}),
      seed: (values.seed as string | undefined) ?? 'unisight',
      onProgress: (done, total) => {
        if (Date.now() - lastShown < 1000 && done < total) return;
        lastShown = Date.now();
        output.say(`generated ${done}/${total} studies`);
      },
    });
    output.result(
      { ...summary },
      `Wrote ${summary.studies} studies of ${summary.patients} patients (${summary.abnormalStudies} abnormal) to ${summary.directory}\n` +
        `  reports: ${summary.reports.csv} in reports.csv, ${summary.reports.textFiles} as report.txt, ${summary.reports.none} missing\n` +
        `  import it with: unisight import ${summary.directory}`,
    );
    return 0;
  },
};
