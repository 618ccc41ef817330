// The fine-tuning task as the core and the engine both know it.

/** Files of a fine-tuning run's folder: the core writes the dataset, the engine the predictions the core then reads. */
export const finetuneRunFiles = { dataset: 'dataset.json', predictions: 'predictions.bin' } as const;
