import fs from 'node:fs';
import path from 'node:path';
import { ImportSummary } from '../../../common/contract/index.js';
import { generateHospital } from '../../demo/generate-hospital.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { commonOptions, integerOption, type CliCommand } from '../cli-command.js';
import { describeImport } from './import.js';
import { startCommand } from './start.js';

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Generate a demo hospital export (once), import it into a demo library, and open the app on it.',
  usage: 'unisight demo [--studies N] [--folder DIR] [--library DIR] [--port P]',
  options: { ...commonOptions, studies: { type: 'string' }, folder: { type: 'string' }, port: { type: 'string' } },
  optionHelp: {
    studies: 'studies to generate the first time (default 300)',
    folder: 'where the export is (generated there when missing; default .demo/hospital-export)',
    port: 'port for the app (a free one by default)',
  },
  run: async (invocation) => {
    const { values, output } = invocation;
    const base = path.resolve(process.env.UNISIGHT_DEMO_HOME ?? path.join(process.cwd(), '.demo'));
    const folder = path.resolve((values.folder as string | undefined) ?? path.join(base, 'hospital-export'));
    const library = path.resolve((values.library as string | undefined) ?? path.join(base, 'library'));
    if (!fs.existsSync(folder)) {
      output.say(`Generating a demo export in ${folder}…`);
      await generateHospital({
        directory: folder,
        studies: integerOption(values.studies, 'studies') ?? 300,
        seed: 'unisight-demo',
      });
    }
    const core = openCoreForCli(library);
    try {
      const job = await runJobToEnd(
        core,
        await core.handlers['import.start']({
          folder,
          tables: [],
          keepIdentifiers: false,
          pseudonymisePaths: false,
          useManifest: true,
        }),
        output,
      );
      if (job.result) output.say(describeImport(ImportSummary.parse(job.result)));
      if (job.state !== 'succeeded') return 1;
    } finally {
      await core.close();
    }
    return startCommand.run({ ...invocation, values: { ...values, library } });
  },
};
