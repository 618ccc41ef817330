export const sections = [
  { id: 'library', label: 'Library', hint: 'Studies, images and reports in this library' },
  { id: 'import', label: 'Import', hint: 'Bring in a hospital export folder' },
  { id: 'train', label: 'Train', hint: 'Pretrain the shared encoder' },
  { id: 'finetune', label: 'Fine-tune', hint: 'Classifiers from few labels' },
  { id: 'search', label: 'Search', hint: 'Find images by free text' },
  { id: 'runs', label: 'Runs', hint: 'Jobs, their progress and results' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '');
  return sections.find((section) => section.id === id)?.id ?? 'library';
}
