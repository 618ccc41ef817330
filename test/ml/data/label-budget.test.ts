import { describe, expect, it } from 'vitest';
import { type LabelledItem, sampleLabelBudget } from '../../../ml/data/label-budget.js';

// 900 negatives, 100 positives: the demo's rarer findings look like this.
const items: LabelledItem[] = Array.from({ length: 1000 }, (_, index) => ({
  index: index * 3,
  label: index % 10 === 0 ? 'positive' : 'negative',
}));
const labelOf = new Map(items.map((item) => [item.index, item.label]));
const countOf = (indices: number[], label: string) => indices.filter((index) => labelOf.get(index) === label).length;

describe('sampleLabelBudget', () => {
  it('keeps the share of each class at 1%, 10% and 100%, with at least one example of every class', () => {
    const onePercent = sampleLabelBudget(items, { fraction: 0.01 }, 'seed');
    expect([countOf(onePercent, 'negative'), countOf(onePercent, 'positive')]).toEqual([9, 1]);
    const tenPercent = sampleLabelBudget(items, { fraction: 0.1 }, 'seed');
    expect([countOf(tenPercent, 'negative'), countOf(tenPercent, 'positive')]).toEqual([90, 10]);
    expect(sampleLabelBudget(items, { fraction: 1 }, 'seed')).toEqual(items.map((item) => item.index));
    const rare = sampleLabelBudget([...items, { index: 5000, label: 'pneumothorax' }], { fraction: 0.01 }, 'seed');
    expect(rare).toContain(5000);
  });

  it('nests smaller budgets inside larger ones and depends only on the seed', () => {
    const onePercent = sampleLabelBudget(items, { fraction: 0.01 }, 'seed');
    const tenPercent = sampleLabelBudget(items, { fraction: 0.1 }, 'seed');
    for (const index of onePercent) expect(tenPercent).toContain(index);
    expect(sampleLabelBudget([...items].reverse(), { fraction: 0.1 }, 'seed')).toEqual(tenPercent);
    expect(sampleLabelBudget(items, { fraction: 0.1 }, 'other seed')).not.toEqual(tenPercent);
  });

  it('takes a count per class, all of a class that has fewer, and refuses budgets that make no sense', () => {
    const five = sampleLabelBudget(items, { perClass: 5 }, 'seed');
    expect([countOf(five, 'negative'), countOf(five, 'positive')]).toEqual([5, 5]);
    expect(sampleLabelBudget(items, { perClass: 500 }, 'seed').length).toBe(600);
    expect(() => sampleLabelBudget(items, { fraction: 0 }, 'seed')).toThrow(/fraction/);
    expect(() => sampleLabelBudget(items, { perClass: 0.5 }, 'seed')).toThrow(/whole number/);
  });
});
