import { generateHospital, maximumStudies, minimumStudies } from '../../demo/generate-hospital.js';
import { CliUsageError, commonOptions, integerOption, type CliCommand } from '../cli-command.js';

export const demoDataCommand: CliCommand = {
  name: 'demo-data',
  summary: `Write a synthetic hospital export (chest DX/CR DICOM, reports, labels, manifest) into a new folder; seeded and deterministic.`,
  usage: `unisight demo-data <folder> [--studies N (${minimumStudies}–${maximumStudies}, default 200)] [--seed S] [--json]`,
  options: { ...commonOptions, studies: { type: 'string' }, seed: { type: 'string' } },
  optionHelp: {
    studies: 'how many studies to write (50–100,000; default 200)',
    seed: 'seed for every random choice (default "unisight"); same seed, same bytes',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length !== 1) throw new CliUsageError('demo-data needs exactly one folder to write into.');
    const studies = integerOption(values.studies, 'studies') ?? 200;
    let lastShown = 0;
    const summary = await generateHospital({
      directory: positionals[0]!,
      studies,
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
