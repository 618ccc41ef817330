/**
 * Why a file failed, as the next import needs to know it: `content`, the file's own bytes (unparseable, truncated, a
 * decoder that crashes, hangs or takes too much memory), stays failed until the file changes, so a hostile file costs
 * one worker once; `resource`, the machine (a full disk, no file handles left), and `interrupted`, never judged (the
 * import stopped first, or the file it copies changed meanwhile), are processed again though the file is unchanged.
 */
export const failureKinds = ['content', 'resource', 'interrupted'] as const;
export type FailureKind = (typeof failureKinds)[number];

/** Whether the next import processes a file that failed this way again, though the file has not changed. */
export const isRetried = (kind: FailureKind | null): boolean => kind === 'resource' || kind === 'interrupted';
