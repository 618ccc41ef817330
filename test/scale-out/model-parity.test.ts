import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EncoderConfig, patchesPerImage } from '../../common/encoder-config.js';
import { SeededRandom } from '../../common/seeded-random.js';
import { ContrastiveEncoder } from '../../ml/model/contrastive-encoder.js';
import { ReportWordHead } from '../../ml/objectives/report-words.js';
import { modelTensors } from '../../ml/model/model-tensors.js';
import { writeTensorBundle } from '../../ml/model/tensor-bundle.js';
import { trainBpeTokenizer } from '../../ml/tokenizer/bpe-tokenizer.js';
import { writeReport } from '../../main/demo/report-writer.js';
import { sampleFindings } from '../../main/demo/findings.js';
import { debianPython, missingOutsideTool } from '../support/outside-tools.js';
import { tinyEncoder } from '../support/tiny-training.js';

const missing = missingOutsideTool('the scale-out parity tests (model-parity.test.ts)', 'pytorch');
const reference = path.join(import.meta.dirname, 'pytorch_reference.py');

function askPyTorch(mode: 'embed' | 'tokenize' | 'words', inputs: object): Record<string, unknown> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `unisight-parity-${mode}-`));
  try {
    fs.writeFileSync(path.join(folder, 'inputs.json'), JSON.stringify(inputs));
    if (mode === 'embed')
      writeTensorBundle(path.join(folder, 'weights.unisight-tensors'), (inputs as { bundle: never }).bundle);
    const run = spawnSync(debianPython, [reference, mode, folder], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`pytorch_reference.py ${mode} failed: ${run.stderr}`);
    return JSON.parse(fs.readFileSync(path.join(folder, 'answer.json'), 'utf8')) as Record<string, unknown>;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The shared test encoder, without its early and late layers (one configuration below adds them back). */
const tiny = { ...tinyEncoder, earlyLayers: 0, lateLayers: 0 };

/** Every architecture the trainer builds, tiny: what the desktop trains and what a bundle can carry. */
const architectures: Record<string, object> = {
  'shared encoder, modality feature (seed 000)': {},
  'shared encoder, modality token, early and late layers, sinusoidal image positions': {
    modalityIdentifier: { kind: 'token' },
    earlyLayers: 1,
    lateLayers: 1,
    imagePositionInitialisation: 'sinusoidal',
  },
  'shared encoder without a modality signal, first layer frozen': {
    modalityIdentifier: { kind: 'none' },
    frozenSharedLayers: 1,
  },
  "MS-CLIP's modality-specific LayerNorms": { sharedBlockParts: { attention: true, mlp: true, layerNorms: false } },
  'MS-CLIP sharing only attention': { sharedBlockParts: { attention: true, mlp: false, layerNorms: false } },
  'separate two-stack baseline': { architecture: 'separate' },
  "MS-CLIP's early convolution": { imageStem: 'convolutional' },
  'the hMLP stem': { imageStem: 'hierarchical' },
  "MS-CLIP's parallel branch with lateral connections, modality token": {
    sharedLayers: 3,
    modalityIdentifier: { kind: 'token' },
    parallelBranchLayers: [0, 2],
  },
};

describe.skipIf(missing !== null)('the scale-out trainer against the desktop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, overrides] of Object.entries(architectures)) {
    it(`gives the same embeddings from the same weights: ${name}`, async () => {
      const config = EncoderConfig.parse({ ...tiny, ...overrides });
      const model = new ContrastiveEncoder(config, 7);
      // Weights away from their initial values (unit gains, zero biases would hide a swapped norm or bias).
      for (const [, variable] of model.store.variables)
        variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.2, 'float32', 3)));
      const batch = 3;
      const patchesShape = [batch, patchesPerImage(config), config.patchSize ** 2];
      const random = new SeededRandom(name);
      const patches = Array.from({ length: patchesShape.reduce((a, b) => a * b) }, () => random.between(-2, 2));
      const lengths = [7, 4, 2];
      const tokenIds = lengths.flatMap((length) =>
        Array.from({ length: config.maximumTextTokens }, (_, position) =>
          position < length ? Math.floor(random.between(0, config.vocabularySize)) : 0,
        ),
      );
      const attentionMask = lengths.flatMap((length) =>
        Array.from({ length: config.maximumTextTokens }, (_, position) => (position < length ? 1 : 0)),
      );
      const textShape = [batch, config.maximumTextTokens];
      const [images, texts] = tf.tidy(() => [
        model.encode('image', tf.tensor3d(patches, patchesShape as [number, number, number])),
        model.encode('text', {
          tokenIds: tf.tensor2d(tokenIds, textShape as [number, number], 'int32'),
          attentionMask: tf.tensor2d(attentionMask, textShape as [number, number]),
        }),
      ]);
      const answer = askPyTorch('embed', {
        config,
        patches,
        patchesShape,
        tokenIds,
        attentionMask,
        textShape,
        bundle: { metadata: {}, tensors: await modelTensors(model) },
      }) as { image: number[]; text: number[]; names: string[]; frozen: string[] };
      expect(answer.names).toEqual([...model.store.variables.keys()].sort());
      expect(answer.frozen).toEqual(
        [...model.store.variables.keys()].filter((key) => !model.store.trainable().has(key)).sort(),
      );
      const largestDifference = (ours: Float32Array, theirs: number[]) =>
        Math.max(...Array.from(ours, (value, index) => Math.abs(value - theirs[index]!)));
      expect(largestDifference((await images!.data()) as Float32Array, answer.image)).toBeLessThan(1e-4);
      expect(largestDifference((await texts!.data()) as Float32Array, answer.text)).toBeLessThan(1e-4);
      tf.dispose([images!, texts!]);
      model.dispose();
    });
  }

  it('scores word prediction the same: the head started at the same bias, the same loss from the same weights', async () => {
    const random = new SeededRandom('word parity');
    const [batch, embeddingSize] = [5, 6];
    // Shares at 0 and 1 as well, where both sides clip the starting log-odds.
    const shares = Float32Array.from([0, 0.02, 0.3, 0.5, 0.9, 1]);
    const head = new ReportWordHead(embeddingSize, shares, 11);
    const embeddings = Array.from({ length: batch * embeddingSize }, () => random.between(-1, 1));
    const targets = Array.from({ length: batch * shares.length }, () => (random.chance(0.3) ? 1 : 0));
    const loss = tf.tidy(() =>
      head.loss(tf.tensor2d(embeddings, [batch, embeddingSize]), tf.tensor2d(targets, [batch, shares.length])),
    );
    const answer = askPyTorch('words', {
      embeddings,
      embeddingShape: [batch, embeddingSize],
      shares: Array.from(shares),
      weight: Array.from(await head.store.variables.get('words.weight')!.data()),
      targets,
    }) as { loss: number; initialBias: number[] };
    const bias = await head.store.variables.get('words.bias')!.data();
    answer.initialBias.forEach((value, index) => expect(value).toBeCloseTo(bias[index]!, 5));
    expect(answer.loss).toBeCloseTo((await loss.data())[0]!, 5);
    loss.dispose();
    head.dispose();
  });

  it('splits every text into the same token ids: a tokenizer trained on reports, then text it never saw', () => {
    const random = new SeededRandom('tokenizer parity');
    const reports = Array.from({ length: 300 }, () => writeReport(random, sampleFindings(random), 'PA'));
    const tokenizer = trainBpeTokenizer(reports, 400);
    const texts = [
      ...reports.slice(0, 50),
      'Épanchement pleural gauche; Erguß rechts, 5 mm — "KNOTEN"!',
      'ΣΊΣΥΦΟΣ tabs\tand\u00a0no-break\u2003spaces, ﬁ ligature ① ½ 2nd',
      'Pneumothorax… 日本語のテキスト 🙂 emoji\u200bzero width',
      '',
      'a '.repeat(40),
    ];
    const answer = askPyTorch('tokenize', { tokenizer: tokenizer.data, texts, length: 24 }) as {
      ids: number[][];
      masks: number[][];
    };
    texts.forEach((text, index) => {
      const ours = tokenizer.encode(text, 24);
      expect(answer.ids[index], text).toEqual(Array.from(ours.tokenIds));
      expect(answer.masks[index], text).toEqual(Array.from(ours.attentionMask));
    });
  });
});
