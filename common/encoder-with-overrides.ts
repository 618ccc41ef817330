import type { EncoderOverrides } from './contract/index.js';
import { EncoderConfig } from './encoder-config.js';

/**
 * A preset's encoder with a run's overrides, checked as a whole (heads divide the width, patches tile the image…).
 * Shared by the core, which trains it, and the Train page, which shows its size before it starts.
 */
export function encoderWithOverrides(
  preset: EncoderConfig,
  { modalityIdentifier, ...overrides }: EncoderOverrides,
): ReturnType<typeof EncoderConfig.safeParse> {
  return EncoderConfig.safeParse({
    ...preset,
    ...overrides,
    modalityIdentifier: modalityIdentifier ?? preset.modalityIdentifier,
  });
}
