import type { DataSet } from 'dicom-parser';
import { readText } from './dicom-metadata.js';

const maximumDepth = 32;

/**
 * The narrative of a Structured Report: its TEXT content items in document order, each headed by its concept name
 * (e.g. "Findings: …"), nested containers flattened. Coded and numeric items are left to later use.
 */
export function structuredReportText(dataSet: DataSet): string {
  const characterSet = dataSet.string('x00080005');
  const lines: string[] = [];
  const visit = (items: DataSet[], depth: number): void => {
    if (depth > maximumDepth) return;
    for (const item of items) {
      const valueType = item.string('x0040a040')?.trim();
      const concept = item.elements.x0040a043?.items?.[0]?.dataSet;
      const heading = concept ? readText(concept, 'x00080104', characterSet) : null;
      if (valueType === 'TEXT') {
        const text = readText(item, 'x0040a160', characterSet);
        if (text) lines.push(heading ? `${heading}: ${text}` : text);
      }
      const children = item.elements.x0040a730?.items
        ?.map((child) => child.dataSet)
        .filter((child): child is DataSet => Boolean(child));
      if (children?.length) visit(children, depth + 1);
    }
  };
  visit([dataSet], 0);
  return lines.join('\n');
}
