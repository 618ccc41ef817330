import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../common/fnv1a.js';

describe('FNV-1a', () => {
  it("gives the published 32-bit FNV-1a values, and another family's for another basis", () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(fnv1a('a', 0x811c9dc5 ^ 7)).not.toBe(fnv1a('a'));
  });
});
