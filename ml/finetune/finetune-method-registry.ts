import type { FinetuneMethod } from '../../common/finetune-method-name.js';
import { fitAdaptor, fitLinearProbe, type FittedClassifier } from './frozen-encoder-methods.js';
import type { StageContext } from './stage-context.js';
import { runSupervised, scoreWithClassifier, supervisedSteps } from './supervised-stage.js';

/** What a method learns from, beside the stage: the label budget, the training split, and the validation report. */
export interface MethodInput {
  labelled: readonly number[];
  /** The training split's images (the Adaptor learns from those with a report). */
  trainingImages: readonly number[];
  /** Reports a classifier's validation figures at `step`, for the curves only (no checkpoint is chosen by them). */
  validate(score: (indices: readonly number[]) => Promise<Float32Array>, step: number): Promise<void>;
}

/** One fine-tuning method: how much work it reports, and the classifier it fits (null when cancelled). */
export interface FinetuneMethodStage {
  steps(labelledImages: number, options: StageContext['options']): number;
  fit(stage: StageContext, input: MethodInput): Promise<FittedClassifier | null>;
}

/** Encoder and split head trained together on cross-entropy, with GM-Coord's gradient modulation or without. */
function supervised(gmCoord: boolean): FinetuneMethodStage {
  return {
    steps: supervisedSteps,
    fit: async (stage, input) => {
      const classifier = await runSupervised(stage, input.labelled, gmCoord, (head, step) =>
        input.validate((indices) => scoreWithClassifier(stage, head, indices), step),
      );
      if (!classifier) return null;
      const encoderTrainable = [...stage.encoder.store.trainable().values()].reduce(
        (sum, variable) => sum + variable.size,
        0,
      );
      return {
        score: (indices) => scoreWithClassifier(stage, classifier, indices),
        parameterCount: {
          trainable: encoderTrainable + classifier.store.count(),
          frozen: stage.encoder.store.count() - encoderTrainable,
        },
        describe: {},
        dispose: () => classifier.dispose(),
      };
    },
  };
}

/** The methods a run can ask for by name (`common/finetune-method-name.ts`); a new one is a stage and a line here. */
export const finetuneMethodRegistry: Record<FinetuneMethod, FinetuneMethodStage> = {
  gmcoord: supervised(true),
  full: supervised(false),
  adaptor: {
    steps: (_, options) => options.adaptorEpochs,
    fit: (stage, input) =>
      fitAdaptor(
        stage,
        input.trainingImages.filter((index) => stage.items[index]!.reportText !== ''),
        input.labelled,
        async (epoch, loss) => {
          stage.progress(
            epoch + 1,
            `Adaptor epoch ${epoch + 1}/${stage.options.adaptorEpochs}, loss ${loss.toFixed(3)}`,
          );
          stage.task.reportMetrics({ kind: 'train', stage: 'adaptor', step: epoch + 1, loss });
          await stage.task.yieldToEvents();
        },
      ),
  },
  linear: { steps: () => 1, fit: (stage, input) => fitLinearProbe(stage, input.labelled) },
};
