import type { PretrainingItem } from './pretraining-dataset.js';

export interface ReportWordSettings {
  /** A word is predicted only if at least this many training reports assert it. */
  minimumReports: number;
  /** …and at most this share of them: a word in nearly every report says nothing about one image. */
  maximumShare: number;
  /** The most widely asserted words, at most this many. */
  maximumWords: number;
}

export const defaultReportWordSettings: ReportWordSettings = {
  minimumReports: 5,
  maximumShare: 0.5,
  maximumWords: 512,
};

/** Said alike by the engine and by a training bundle's export when a run asks for word prediction and has none. */
export const noPredictableWords =
  'Word prediction found no word asserted by enough training reports to predict (at least five, at most half of them); the run trains on the contrastive loss alone.';

/** "effusions" → "effusion" where the singular is a word of the corpus too; other words as they are. */
function singular(word: string, corpus: ReadonlySet<string>): string {
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && corpus.has(word.slice(0, -1)))
    return word.slice(0, -1);
  return word;
}

/**
 * What the word-prediction objective asks the image side for: per item, the vocabulary positions of the words its
 * report asserts (`PretrainingItem.reportWords`, outside negations). The vocabulary comes from the training split's
 * reports alone, each report counted once however many images its study has, so a resumed run rebuilds the same one.
 * The objective is the bag-of-words image–text pretraining of Joulin et al. (2016, "Learning visual features from large
 * weakly supervised data"): each asserted finding word is a direct target for the image, where the contrastive loss
 * tells it only which report of the batch is its own.
 */
export class ReportWordTargets {
  readonly words: readonly string[];
  private readonly positions: ReadonlyMap<string, number>;
  private readonly corpus: ReadonlySet<string>;

  constructor(
    items: readonly PretrainingItem[],
    train: readonly number[],
    settings: ReportWordSettings = defaultReportWordSettings,
  ) {
    const reports = new Map<number, readonly string[]>();
    for (const index of train) {
      const item = items[index]!;
      if (item.reportId !== null && item.reportWords.length > 0) reports.set(item.reportId, item.reportWords);
    }
    this.corpus = new Set([...reports.values()].flat());
    const counts = new Map<string, number>();
    for (const words of reports.values())
      for (const word of new Set(words.map((word) => singular(word, this.corpus))))
        counts.set(word, (counts.get(word) ?? 0) + 1);
    const ceiling = settings.maximumShare * reports.size;
    this.words = [...counts]
      .filter(([, count]) => count >= settings.minimumReports && count <= ceiling)
      .sort(([leftWord, left], [rightWord, right]) => right - left || leftWord.localeCompare(rightWord))
      .slice(0, settings.maximumWords)
      .map(([word]) => word);
    this.positions = new Map(this.words.map((word, position) => [word, position]));
  }

  /** How often each word is asserted among `items` (the training split): the head's starting bias. */
  shares(items: readonly PretrainingItem[], train: readonly number[]): Float32Array {
    const shares = new Float32Array(this.words.length);
    for (const index of train) for (const position of this.of(items[index]!)) shares[position]! += 1 / train.length;
    return shares;
  }

  /** The vocabulary positions of the words an item's report asserts. */
  of(item: PretrainingItem): number[] {
    const found = new Set<number>();
    for (const word of item.reportWords) {
      const position = this.positions.get(singular(word, this.corpus));
      if (position !== undefined) found.add(position);
    }
    return [...found].sort((left, right) => left - right);
  }
}

/**
 * The words a run with word prediction (`weight` > 0) predicts, or null where it predicts none: weight 0, or no word
 * asserted by enough of its training reports (then it trains on the contrastive loss alone, so the preset's default
 * never fails a small library or one whose reports all say the same).
 */
export function predictableReportWords(
  items: readonly PretrainingItem[],
  train: readonly number[],
  weight: number,
): ReportWordTargets | null {
  if (weight <= 0) return null;
  const targets = new ReportWordTargets(items, train);
  return targets.words.length > 0 ? targets : null;
}
