import { afterAll, describe, expect, it } from 'vitest';
import { openCoreForCli } from '../../../main/cli/open-core.js';
import { runToResume } from '../../../main/cli/resume-target.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

describe('--resume takes a run id or the id of the job that ran it', () => {
  const library = temporaryLibrary();
  const core = openCoreForCli(library.path);
  afterAll(async () => {
    await core.close();
    library.remove();
  });

  it('reads a job id as its run, and passes anything else on unchanged', async () => {
    // A real job of each kind in the real job table; the pretraining one fails at once (its run does not exist).
    const pretraining = core.jobs.submit('model.pretrain', { runId: 'run-of-the-job' });
    const selfcheck = core.jobs.submit('engine.selfcheck', { iterations: 1, matrixSize: 8 });
    expect(await runToResume(core, pretraining.id, 'model.pretrain')).toBe('run-of-the-job');
    expect(await runToResume(core, pretraining.id, 'model.finetune')).toBe(pretraining.id);
    expect(await runToResume(core, selfcheck.id, 'model.pretrain')).toBe(selfcheck.id);
    expect(await runToResume(core, 'a-run-id', 'model.pretrain')).toBe('a-run-id');
  });
});
