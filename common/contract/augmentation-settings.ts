import { z } from 'zod';

/** Ranges the training job draws from for each image; CLIP-style crops kept mild because findings sit near edges. */
export const AugmentationSettings = z.strictObject({
  /** Random resized crop: fraction of the image area kept, and the crop's aspect-ratio range. */
  cropAreaRange: z.tuple([z.number().min(0.05).max(1), z.number().min(0.05).max(1)]),
  aspectRatioRange: z.tuple([z.number().positive(), z.number().positive()]),
  maximumRotationDegrees: z.number().min(0).max(45),
  /** Of the image size, in each direction. */
  maximumTranslation: z.number().min(0).max(0.5),
  maximumBrightnessChange: z.number().min(0).max(1),
  maximumContrastChange: z.number().min(0).max(1),
});
export type AugmentationSettings = z.infer<typeof AugmentationSettings>;

export const defaultAugmentation: AugmentationSettings = {
  cropAreaRange: [0.75, 1],
  aspectRatioRange: [0.85, 1 / 0.85],
  maximumRotationDegrees: 7,
  maximumTranslation: 0.04,
  maximumBrightnessChange: 0.1,
  maximumContrastChange: 0.15,
};
