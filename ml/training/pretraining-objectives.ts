/** What pretraining optimises; kept apart from the trainers so the API contract can name them without TensorFlow. */
export const pretrainingObjectives = ['contrastive', 'mr', 'mr+contrastive'] as const;
