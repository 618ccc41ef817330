import { describe, expect, it } from 'vitest';
import {
  BpeTokenizer,
  classificationId,
  paddingId,
  separatorId,
  specialTokens,
  trainBpeTokenizer,
  unknownId,
} from '../../../ml/tokenizer/bpe-tokenizer.js';

const corpus = [
  'low low low low low',
  'lower lower',
  'newest newest newest newest newest newest',
  'widest widest widest',
];

describe('BPE tokenizer', () => {
  it('learns the most frequent pairs first, as in Sennrich et al.', () => {
    const tokenizer = trainBpeTokenizer(corpus, 40);
    // "es" (9: newest ×6, widest ×3) then "est</w>" (9) beat "lo" (7).
    expect(tokenizer.data.merges.slice(0, 2)).toEqual([
      ['e', 's'],
      ['es', 't</w>'],
    ]);
    expect(tokenizer.data.vocabulary.slice(0, 5)).toEqual(Object.values(specialTokens));
  });

  it('is deterministic whatever the order of the reports', () => {
    const forward = trainBpeTokenizer(corpus, 30);
    const reversed = trainBpeTokenizer([...corpus].reverse(), 30);
    expect(reversed.data).toEqual(forward.data);
  });

  it('stops when no pair occurs twice', () => {
    const tokenizer = trainBpeTokenizer(['abc'], 1000);
    expect(tokenizer.data.merges).toEqual([]);
  });

  it('encodes with [CLS] … [SEP] and padding, and cuts long text before [SEP]', () => {
    const tokenizer = trainBpeTokenizer(['There is a small right pleural effusion.', 'No pleural effusion.'], 200);
    const short = tokenizer.encode('pleural effusion', 8);
    expect(short.tokenIds[0]).toBe(classificationId);
    const length = short.attentionMask.reduce((sum, value) => sum + value, 0);
    expect(short.tokenIds[length - 1]).toBe(separatorId);
    expect([...short.tokenIds.slice(length)].every((id) => id === paddingId)).toBe(true);
    expect(tokenizer.decode(short.tokenIds)).toBe('pleural effusion');

    const long = tokenizer.encode('There is a small right pleural effusion. '.repeat(5), 6);
    expect([...long.attentionMask]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(long.tokenIds[5]).toBe(separatorId);
  });

  it('maps unseen characters to [UNK] and survives a JSON round trip', () => {
    const tokenizer = trainBpeTokenizer(['effusion effusion'], 100);
    expect(tokenizer.tokenize('ü')).toEqual([unknownId]);
    const reloaded = new BpeTokenizer(JSON.parse(JSON.stringify(tokenizer.data)));
    expect(reloaded.tokenize('effusion')).toEqual(tokenizer.tokenize('effusion'));
  });

  it('rejects a damaged file', () => {
    const data = structuredClone(trainBpeTokenizer(['effusion effusion'], 100).data);
    data.vocabulary[6] = 'x';
    expect(() => new BpeTokenizer(data)).toThrow(/damaged/);
  });
});
