// The pretraining task as the core and the engine both know it (the rest of its protocol is still in
// ml/engine/protocol.ts and main/api/contract.ts).

/** What pretraining optimises. */
export const pretrainingObjectives = ['contrastive', 'mr', 'mr+contrastive'] as const;

/**
 * Files of a pretraining run, all inside its folder so a run can be resumed, inspected or deleted as one: the core
 * writes the dataset, the engine the rest.
 */
export const pretrainRunFiles = {
  dataset: 'dataset.json',
  tokenizer: 'tokenizer.json',
  checkpoint: 'checkpoint.bin',
  model: 'model.unisight',
  embeddings: 'embeddings.bin',
} as const;
