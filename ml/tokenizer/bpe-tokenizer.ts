import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Fixed ids, the same in every tokenizer, so the model's pooling and padding never depend on the corpus. */
export const specialTokens = {
  padding: '[PAD]',
  classification: '[CLS]',
  separator: '[SEP]',
  mask: '[MASK]',
  unknown: '[UNK]',
} as const;
const specialTokenList = Object.values(specialTokens);
export const paddingId = 0;
export const classificationId = 1;
export const separatorId = 2;
export const maskId = 3;
export const unknownId = 4;

const endOfWord = '</w>';

export const TokenizerData = z.strictObject({
  format: z.literal('unisight-bpe'),
  /** Bumped when pre-tokenisation or encoding changes, so an old model is never fed differently split text. */
  formatVersion: z.literal(1),
  vocabulary: z.array(z.string()).min(specialTokenList.length),
  merges: z.array(z.tuple([z.string(), z.string()])),
  /** SHA-256 of vocabulary and merges: names this tokenizer in the models table. */
  fingerprint: z.string(),
});
export type TokenizerData = z.infer<typeof TokenizerData>;

export interface EncodedText {
  tokenIds: Int32Array;
  /** 1 for [CLS], content and [SEP]; 0 for padding. */
  attentionMask: Float32Array;
}

/** Lower-cased words, numbers and single punctuation marks: radiology text keeps "5 mm" and "L" apart. */
export function preTokenize(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/\p{L}+|\p{N}+|[^\s\p{L}\p{N}]/gu) ?? []
  );
}

function wordSymbols(word: string): string[] {
  const characters = [...word];
  characters[characters.length - 1] += endOfWord;
  return characters;
}

function fingerprintOf(vocabulary: string[], merges: Array<[string, string]>): string {
  return createHash('sha256').update(JSON.stringify({ vocabulary, merges })).digest('hex');
}

const pairKey = (left: string, right: string): string => `${left}\u0000${right}`;

/**
 * Trains byte-pair merges on a corpus (Sennrich et al. 2016, with an end-of-word marker): the most frequent adjacent
 * pair is merged until the vocabulary is full or no pair occurs twice. Ties break on the pair's text, so the same
 * corpus gives the same tokenizer on every machine and in every order the reports arrive.
 */
export function trainBpeTokenizer(texts: Iterable<string>, vocabularySize: number): BpeTokenizer {
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const word of preTokenize(text)) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  const words = [...wordCounts.keys()].sort();
  const counts = words.map((word) => wordCounts.get(word)!);
  const symbols = words.map(wordSymbols);

  const alphabet = new Set<string>();
  for (const wordSymbolList of symbols) for (const symbol of wordSymbolList) alphabet.add(symbol);
  const vocabulary = [...specialTokenList, ...[...alphabet].sort()];
  const merges: Array<[string, string]> = [];

  const pairCounts = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const addPairs = (wordIndex: number, sign: 1 | -1): void => {
    const list = symbols[wordIndex]!;
    for (let position = 0; position + 1 < list.length; position++) {
      const key = pairKey(list[position]!, list[position + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * counts[wordIndex]!);
      if (sign > 0) {
        let wordsWithPair = pairWords.get(key);
        if (!wordsWithPair) pairWords.set(key, (wordsWithPair = new Set()));
        wordsWithPair.add(wordIndex);
      }
    }
  };
  for (let index = 0; index < words.length; index++) addPairs(index, 1);

  while (vocabulary.length < vocabularySize) {
    let bestKey: string | null = null;
    let bestCount = 1;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && bestKey !== null && key < bestKey)) {
        bestKey = key;
        bestCount = count;
      }
    }
    if (bestKey === null) break;
    const [left, right] = bestKey.split('\u0000') as [string, string];
    const merged = left + right;
    merges.push([left, right]);
    vocabulary.push(merged);
    for (const wordIndex of [...pairWords.get(bestKey)!]) {
      const list = symbols[wordIndex]!;
      addPairs(wordIndex, -1);
      const next: string[] = [];
      for (let position = 0; position < list.length; position++) {
        if (position + 1 < list.length && list[position] === left && list[position + 1] === right) {
          next.push(merged);
          position++;
        } else next.push(list[position]!);
      }
      symbols[wordIndex] = next;
      addPairs(wordIndex, 1);
    }
    for (const [key, count] of pairCounts) if (count <= 0) pairCounts.delete(key);
    pairWords.delete(bestKey);
  }
  return new BpeTokenizer({
    format: 'unisight-bpe',
    formatVersion: 1,
    vocabulary,
    merges,
    fingerprint: fingerprintOf(vocabulary, merges),
  });
}

export class BpeTokenizer {
  readonly data: TokenizerData;
  private readonly ids = new Map<string, number>();
  private readonly mergeRanks = new Map<string, number>();
  private readonly wordCache = new Map<string, number[]>();

  constructor(data: TokenizerData) {
    this.data = TokenizerData.parse(data);
    if (fingerprintOf(this.data.vocabulary, this.data.merges) !== this.data.fingerprint)
      throw new Error('The tokenizer file is damaged: its fingerprint does not match its contents.');
    specialTokenList.forEach((token, index) => {
      if (this.data.vocabulary[index] !== token)
        throw new Error(`The tokenizer file is not a Unisight tokenizer: id ${index} should be ${token}.`);
    });
    this.data.vocabulary.forEach((token, index) => this.ids.set(token, index));
    this.data.merges.forEach(([left, right], rank) => this.mergeRanks.set(pairKey(left, right), rank));
  }

  get vocabularySize(): number {
    return this.data.vocabulary.length;
  }

  /** The subword ids of one pre-tokenised word, merging the lowest-ranked pair first as training did. */
  private encodeWord(word: string): number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    let list = wordSymbols(word);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestPosition = -1;
      for (let position = 0; position + 1 < list.length; position++) {
        const rank = this.mergeRanks.get(pairKey(list[position]!, list[position + 1]!));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestPosition = position;
        }
      }
      if (bestPosition < 0) break;
      list = [
        ...list.slice(0, bestPosition),
        list[bestPosition]! + list[bestPosition + 1]!,
        ...list.slice(bestPosition + 2),
      ];
    }
    const encoded = list.map((symbol) => this.ids.get(symbol) ?? unknownId);
    if (this.wordCache.size < 100_000) this.wordCache.set(word, encoded);
    return encoded;
  }

  /** Subword ids of a text, without special tokens. */
  tokenize(text: string): number[] {
    return preTokenize(text).flatMap((word) => this.encodeWord(word));
  }

  /** [CLS] text [SEP] then padding to `length`; a longer text is cut before [SEP] so every sequence ends with it. */
  encode(text: string, length: number): EncodedText {
    const content = this.tokenize(text).slice(0, Math.max(0, length - 2));
    const tokenIds = new Int32Array(length).fill(paddingId);
    const attentionMask = new Float32Array(length);
    const sequence = [classificationId, ...content, separatorId];
    sequence.forEach((id, index) => {
      tokenIds[index] = id;
      attentionMask[index] = 1;
    });
    return { tokenIds, attentionMask };
  }

  decode(ids: Iterable<number>): string {
    let text = '';
    for (const id of ids) {
      if (id < specialTokenList.length) continue;
      const token = this.data.vocabulary[id] ?? '';
      text += token.endsWith(endOfWord) ? `${token.slice(0, -endOfWord.length)} ` : token;
    }
    return text.trim();
  }
}
