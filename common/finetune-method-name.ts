/**
 * Fine-tuning methods and how they are named where a person picks or reads one (the CLI's `--method`, the fine-tuning
 * page, tables of runs): a method, after `tdcalib+` when TD-Calib adapts the encoder first (`tdcalib+gmcoord`).
 * Plain TypeScript, shared by the core, the CLI and the renderer.
 */
export const finetuneMethods = ['gmcoord', 'full', 'adaptor', 'linear'] as const;
export type FinetuneMethod = (typeof finetuneMethods)[number];

const tdCalibPrefix = 'tdcalib+';

/** Every name a method can be asked for by: each method with TD-Calib first, then without. */
export const finetuneMethodNames = finetuneMethods.flatMap((method) => [`${tdCalibPrefix}${method}`, method]);

/** `tdcalib+gmcoord` → GM-Coord after TD-Calib; a plain method name runs without TD-Calib; null for anything else. */
export function parseFinetuneMethodName(name: string): { method: FinetuneMethod; tdCalib: boolean } | null {
  const tdCalib = name.startsWith(tdCalibPrefix);
  const method = tdCalib ? name.slice(tdCalibPrefix.length) : name;
  return (finetuneMethods as readonly string[]).includes(method) ? { method: method as FinetuneMethod, tdCalib } : null;
}

export function finetuneMethodName(run: { method: FinetuneMethod; tdCalib: boolean }): string {
  return `${run.tdCalib ? tdCalibPrefix : ''}${run.method}`;
}
