import { SeededRandom } from '../../common/seeded-random.js';

/** How many labelled training items a fine-tuning run may use: a fraction of each class, or a count per class. */
export type LabelBudget = { fraction: number } | { perClass: number };

export interface LabelledItem {
  index: number;
  label: string;
}

/**
 * A stratified, seeded sample of `items`: every class keeps its share (at least one item, so a 1% budget of a rare
 * class still has an example). Each class is ordered once by the seed and the budget takes a prefix, so the sample of
 * a smaller budget is part of every larger one (1% ⊂ 10% ⊂ 100%), which keeps a label-efficiency curve honest.
 */
export function sampleLabelBudget(items: readonly LabelledItem[], budget: LabelBudget, seed: string): number[] {
  if ('fraction' in budget && !(budget.fraction > 0 && budget.fraction <= 1))
    throw new Error(`A label fraction is in (0, 1]; got ${budget.fraction}.`);
  if ('perClass' in budget && !(Number.isInteger(budget.perClass) && budget.perClass >= 1))
    throw new Error(`A count per class is a whole number of at least 1; got ${budget.perClass}.`);
  const byClass = new Map<string, number[]>();
  for (const item of items) {
    const indices = byClass.get(item.label) ?? [];
    indices.push(item.index);
    byClass.set(item.label, indices);
  }
  const chosen: number[] = [];
  for (const [label, indices] of [...byClass].sort(([left], [right]) => left.localeCompare(right))) {
    const ordered = new SeededRandom(`${seed}:labels:${label}`).shuffle(
      [...indices].sort((left, right) => left - right),
    );
    const take =
      'fraction' in budget
        ? Math.max(1, Math.round(budget.fraction * ordered.length))
        : Math.min(budget.perClass, ordered.length);
    chosen.push(...ordered.slice(0, take));
  }
  return chosen.sort((left, right) => left - right);
}
