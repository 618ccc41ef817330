import { describe, expect, it } from 'vitest';
import {
  finetuneMethodName,
  finetuneMethodNames,
  finetuneMethods,
  parseFinetuneMethodName,
} from '../../common/finetune-method-name.js';

describe('fine-tuning method names', () => {
  it('name every method with and without TD-Calib, and read each name back to what it names', () => {
    expect(finetuneMethodNames).toHaveLength(2 * finetuneMethods.length);
    for (const name of finetuneMethodNames) expect(finetuneMethodName(parseFinetuneMethodName(name)!)).toBe(name);
    expect(parseFinetuneMethodName('tdcalib+gmcoord')).toEqual({ method: 'gmcoord', tdCalib: true });
    expect(parseFinetuneMethodName('linear')).toEqual({ method: 'linear', tdCalib: false });
  });

  it('refuse names that are not a method', () => {
    for (const name of ['', 'tdcalib+', 'tdcalib', 'tdcalib+tdcalib+full', 'gmcoord+tdcalib', 'GMCOORD'])
      expect(parseFinetuneMethodName(name)).toBeNull();
  });
});
