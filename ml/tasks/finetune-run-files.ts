/**
 * Files a fine-tune run leaves in its run folder for the core to read (kept apart from the task, which loads
 * TensorFlow.js).
 */
export const finetuneRunFiles = { predictions: 'predictions.bin' } as const;
