// Labels: weak labels read from reports, their agreement with expert ones, labelling by hand.
import type { CoreContext, CoreFeature } from '../core-feature.js';
import { libraryLabelRules } from './library-label-rules.js';
import { labellingQueue, setManualLabel } from './manual-labels.js';
import { weakLabelAgreement, writeReportRuleLabels } from './weak-labels.js';

type LabelMethods = 'labels.fromReports' | 'labels.weakAgreement' | 'labels.queue' | 'labels.set';

export function labelsFeature({ catalog }: CoreContext): CoreFeature<LabelMethods> {
  const { database } = catalog;
  return {
    handlers: {
      'labels.fromReports': async ({ rules }) => writeReportRuleLabels(database, rules ?? libraryLabelRules(database)),
      'labels.weakAgreement': async () => weakLabelAgreement(database),
      'labels.queue': async ({ task, offset, limit }) => labellingQueue(database, task, offset, limit),
      'labels.set': async ({ studyId, task, value }) => {
        setManualLabel(database, studyId, task, value);
        return { studyId, task, value };
      },
    },
    executors: {},
  };
}
