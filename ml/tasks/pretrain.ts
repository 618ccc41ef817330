import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { numericSeed } from '../../common/seeded-random.js';
import { noPredictableWords, predictableReportWords } from '../data/report-word-targets.js';
import { ReportWordHead } from '../objectives/report-words.js';
import { PretrainingBatches } from '../data/pretraining-batches.js';
import { epochOrder, pairsPerEpoch, studyGroups } from '../data/study-sampling.js';
import { textSamplingAtStep } from '../data/text-sampling.js';
import {
  minimumEvaluationPairs,
  PretrainingDataset,
  splitByPatient,
  summariseSplit,
  trainingSubset,
} from '../data/pretraining-dataset.js';
import { probeLibraryImages } from '../evaluation/library-evaluation.js';
import { studyFindings, studyRetrievalRecall } from '../evaluation/retrieval-recall.js';
import type { RetrievalMetrics } from '../../common/contract/evaluation.js';
import { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import type { EncoderConfig } from '../../common/encoder-config.js';
import type { ModelFileMetadata } from '../model/model-file.js';
import { writeTensorBundle } from '../model/tensor-bundle.js';
import { BpeTokenizer, trainBpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { modelTensors, snapshotVariables } from '../model/model-tensors.js';
import { warmupCosineRate } from '../training/learning-rate-schedule.js';
import { contrastiveTrainer, mrPretrainTrainer } from '../training/pretraining-trainers.js';
import { embedItems, embedLibraryItems } from '../embedding/library-embeddings.js';
import { writeLibraryEmbeddings } from '../embedding/library-embeddings-file.js';
import type { EngineTask, TaskContext } from '../../common/engine/engine-task.js';
import { pretrainRunFiles } from '../../common/engine/pretrain-task.js';

/**
 * Retrieval by study: every image of the split against one report per study, a hit when any image of the study is
 * found (a lateral view or another slice shares the report, and counting it as a wrong answer would understate recall).
 */
async function evaluate(
  model: ContrastiveEncoder,
  batches: PretrainingBatches,
  dataset: PretrainingDataset,
  indices: readonly number[],
  context: TaskContext,
): Promise<RetrievalMetrics> {
  const { imageStudies, studyItems } = studyGroups(dataset.items, indices);
  const images = await embedItems(model, batches, indices, ['image'], context);
  const reports = await embedItems(model, batches, studyItems, ['text'], context);
  return studyRetrievalRecall(
    images.image,
    imageStudies,
    reports.text,
    model.config.embeddingSize,
    studyFindings(studyItems, dataset.probeTasks),
  );
}

function loadOrTrainTokenizer(file: string, texts: string[], vocabularySize: number): BpeTokenizer {
  if (fs.existsSync(file)) return new BpeTokenizer(JSON.parse(fs.readFileSync(file, 'utf8')));
  const tokenizer = trainBpeTokenizer(texts, vocabularySize);
  try {
    fs.writeFileSync(`${file}.partial`, JSON.stringify(tokenizer.data));
    fs.renameSync(`${file}.partial`, file);
  } catch (error) {
    fs.rmSync(`${file}.partial`, { force: true });
    throw error;
  }
  return tokenizer;
}

/**
 * Contrastive pretraining of the shared encoder (or the separate baseline) on the library's image–report pairs:
 * patient-level split, a BPE tokenizer trained on the training reports, AdamW with warm-up and cosine decay,
 * checkpoints every N steps and on cancel, validation Recall@K each epoch, and at the end the test metrics, an
 * exported model and embeddings of every image and report for search. Resumes from the run's checkpoint.
 */
export const runPretraining: EngineTask<'pretrain'> = async (
  { runDirectory, datasetFile, encoder, options },
  context,
) => {
  const dataset = PretrainingDataset.parse(JSON.parse(fs.readFileSync(datasetFile, 'utf8')));
  const split = splitByPatient(
    dataset.items,
    { validation: options.validationFraction, test: options.testFraction },
    options.seed,
  );
  const train = trainingSubset(split.train, options.trainingImagesLimit, options.seed);
  const trainingPairs = pairsPerEpoch(dataset.items, train, options.studyImages);
  if (trainingPairs < options.batchSize)
    throw new Error(
      `Pretraining needs at least one batch of ${options.batchSize} ${options.studyImages === 'every' ? 'image–report pairs' : 'studies with a report'} in the training split; it has ${trainingPairs}. Import more studies with reports or lower the batch size.`,
    );
  if (split.validation.length < minimumEvaluationPairs || split.test.length < minimumEvaluationPairs)
    throw new Error(
      `The validation and test splits need at least ${minimumEvaluationPairs} image–report pairs each; import more studies with reports.`,
    );

  const tokenizer = loadOrTrainTokenizer(
    path.join(runDirectory, pretrainRunFiles.tokenizer),
    train.map((index) => dataset.items[index]!.reportText),
    encoder.vocabularySize,
  );
  const config: EncoderConfig = { ...encoder, vocabularySize: tokenizer.vocabularySize };
  if (options.wordPredictionWeight > 0 && options.objective !== 'contrastive')
    throw new Error(
      `Word prediction is added to the contrastive objective only; run ${options.objective} with a word-prediction weight of 0.`,
    );
  const reportWords = predictableReportWords(dataset.items, train, options.wordPredictionWeight);
  const wordsAsked = options.wordPredictionWeight > 0;
  if (wordsAsked && !reportWords) context.log('warn', noPredictableWords);
  const model = new ContrastiveEncoder(config, numericSeed(options.seed));
  const wordHead = reportWords
    ? new ReportWordHead(
        config.embeddingSize,
        reportWords.shares(dataset.items, train),
        numericSeed(`${options.seed}:words`),
      )
    : null;
  const trainer =
    options.objective === 'contrastive'
      ? contrastiveTrainer(
          model,
          options.weightDecay,
          options.gradientClipNorm,
          wordHead ? { head: wordHead, weight: options.wordPredictionWeight } : null,
        )
      : mrPretrainTrainer(
          model,
          options.seed,
          numericSeed(options.seed),
          options.weightDecay,
          options.gradientClipNorm,
          options.objective === 'mr+contrastive',
        );
  const batches = new PretrainingBatches(dataset.items, tokenizer, config, options.seed, reportWords);
  const stepsPerEpoch = Math.floor(trainingPairs / options.batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const warmupSteps = Math.round(totalSteps * options.warmupFraction);
  const checkpointFile = path.join(runDirectory, pretrainRunFiles.checkpoint);
  const describeRun = {
    backend: context.backend,
    parameterCount: model.store.count(),
    trainablePairs: trainingPairs,
    validationPairs: split.validation.length,
    testPairs: split.test.length,
    stepsPerEpoch,
    totalSteps,
    vocabularySize: tokenizer.vocabularySize,
    tokenizerFingerprint: tokenizer.data.fingerprint,
    ...(wordsAsked ? { predictedWords: reportWords?.words.length ?? 0 } : {}),
  };

  try {
    let step = 0;
    // The last step whose epoch-end validation was recorded: a cancel during that evaluation (it is checkpointed just
    // before) leaves it to the resumed run. Checkpoints written before this was kept count as validated.
    let validatedStep = 0;
    if (fs.existsSync(checkpointFile)) {
      const state = trainer.load(checkpointFile);
      step = Number(state.step ?? 0);
      validatedStep = Number(state.validatedStep ?? step);
      context.log('info', `Resuming pretraining at step ${step} of ${totalSteps}.`);
    }
    context.reportMetrics({ kind: 'run', step, ...describeRun, config });
    const checkpoint = () => trainer.save(checkpointFile, { step, totalSteps, validatedStep });

    let order: number[] = [];
    let orderEpoch = -1;
    let lossSum = 0;
    let lossCount = 0;
    let intervalStarted = performance.now();
    let intervalSteps = 0;
    let tensorsAfterStep: number | null = null;
    let lastValidation: RetrievalMetrics | null = null;
    const runStarted = performance.now();
    const stepAtStart = step;
    const validateEpoch = async () => {
      lastValidation = await evaluate(model, batches, dataset, split.validation, context);
      context.reportMetrics({ kind: 'validation', step, epoch: step / stepsPerEpoch, retrieval: lastValidation });
      validatedStep = step;
    };
    if (step > 0 && step % stepsPerEpoch === 0 && validatedStep !== step) await validateEpoch();
    while (step < totalSteps) {
      if (context.isCancelled()) {
        await checkpoint();
        return { outcome: 'cancelled', result: { step, totalSteps } };
      }
      const epoch = Math.floor(step / stepsPerEpoch);
      if (epoch !== orderEpoch) {
        order = epochOrder(dataset.items, train, epoch, options.studyImages, options.seed);
        orderEpoch = epoch;
      }
      const position = (step % stepsPerEpoch) * options.batchSize;
      const host = batches.build(order.slice(position, position + options.batchSize), {
        settings: options.augmentation,
        textSampling: textSamplingAtStep(options.textSampling, step, totalSteps) ?? undefined,
        step,
      });
      const learningRate = warmupCosineRate(step, totalSteps, warmupSteps, options.peakLearningRate);
      const { loss, parts } = await trainer.step(host, step, learningRate);
      if (!Number.isFinite(loss)) {
        throw new Error(
          `The loss became ${loss} at step ${step + 1}; lower the learning rate (now ${options.peakLearningRate}) and resume or start again.`,
        );
      }
      step += 1;
      const tensorCount = tf.memory().numTensors;
      if (tensorsAfterStep !== null && tensorCount !== tensorsAfterStep)
        throw new Error(`Tensor leak: ${tensorCount - tensorsAfterStep} tensor(s) left behind by step ${step}.`);
      tensorsAfterStep = tensorCount;
      lossSum += loss;
      lossCount += 1;
      intervalSteps += 1;
      context.reportProgress(step, totalSteps, `epoch ${epoch + 1}/${options.epochs}, loss ${loss.toFixed(3)}`);
      if (step % options.metricsEverySteps === 0 || step === totalSteps) {
        const now = performance.now();
        const samplesPerSecond = (intervalSteps * options.batchSize) / ((now - intervalStarted) / 1000);
        const secondsPerStep = (now - runStarted) / 1000 / (step - stepAtStart);
        context.reportMetrics({
          kind: 'train',
          step,
          epoch: step / stepsPerEpoch,
          loss: lossSum / lossCount,
          ...parts,
          learningRate,
          temperature: 1 / Math.exp((await model.logitScale.data())[0]!),
          samplesPerSecond,
          etaSeconds: (totalSteps - step) * secondsPerStep,
          tensorCount,
        });
        lossSum = 0;
        lossCount = 0;
        intervalSteps = 0;
        intervalStarted = now;
      }
      if (step % options.checkpointEverySteps === 0) await checkpoint();
      if (step % stepsPerEpoch === 0) await validateEpoch();
      await context.yieldToEvents();
    }
    await checkpoint();

    context.reportProgress(totalSteps, totalSteps, 'evaluating on the test split');
    const validation = lastValidation ?? (await evaluate(model, batches, dataset, split.validation, context));
    const test = await evaluate(model, batches, dataset, split.test, context);
    context.reportMetrics({ kind: 'test', step, retrieval: test });
    context.reportProgress(totalSteps, totalSteps, 'embedding the library for search');
    const embeddings = await embedLibraryItems(
      model,
      batches,
      dataset.items,
      dataset.items.map((_, index) => index),
      context,
    );
    context.reportProgress(totalSteps, totalSteps, 'probing the image embeddings with the library labels');
    const imageProbe = probeLibraryImages(dataset, embeddings, options);
    context.reportMetrics({ kind: 'image-probe', step, imageProbe });
    const modelFile = path.join(runDirectory, pretrainRunFiles.model);
    const metadata: ModelFileMetadata = {
      format: 'unisight-model',
      formatVersion: 1,
      config,
      tokenizer: tokenizer.data,
      options,
      split: summariseSplit(dataset.items, options),
      metrics: { validation, test, imageProbe },
      parameterCount: describeRun.parameterCount,
      // The word head is kept beside the encoder: search reads what it predicts as evidence for the query's words.
      ...(reportWords ? { reportWords: [...reportWords.words] } : {}),
    };
    const tensors = await modelTensors(model);
    if (wordHead) await snapshotVariables('', wordHead.store.variables, tensors);
    writeTensorBundle(modelFile, { metadata, tensors });

    const embeddingsFile = path.join(runDirectory, pretrainRunFiles.embeddings);
    writeLibraryEmbeddings(embeddingsFile, embeddings);
    return {
      outcome: 'succeeded',
      result: {
        ...describeRun,
        step,
        validation,
        test,
        imageProbe,
        modelFile,
        embeddingsFile,
        embeddedImages: embeddings.imageIds.length,
        embeddedReports: embeddings.reportIds.length,
        config,
      },
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
};
