import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/serve-process.js';

/** The source folders and what each may import from the others (ARCHITECTURE.md). */
const areas = { common: 'common', main: 'main', ml: 'ml', renderer: 'renderer/src' } as const;
type Area = keyof typeof areas;

interface ImportEdge {
  from: string;
  to: string;
  /** `import type`: gone at run time, so it cannot load TensorFlow, but it still ties the folders together. */
  typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || /node_modules|\/assembly\//.test(file) || entry.name.endsWith('.d.ts')) return [];
    return /\.(ts|svelte)$/.test(entry.name) ? [path.relative(projectRoot, file)] : [];
  });
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** Every import of `file`: relative ones resolved to repository paths, packages by name. */
function importsOf(file: string): Array<{ specifier: string; target: string | null; typeOnly: boolean }> {
  const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
  return [...text.matchAll(importPattern)].map((match) => {
    const specifier = (match[2] ?? match[3] ?? match[4])!;
    if (!specifier.startsWith('.')) return { specifier, target: null, typeOnly: Boolean(match[1]) };
    const resolved = path.relative(projectRoot, path.resolve(path.dirname(path.join(projectRoot, file)), specifier));
    return { specifier, target: resolved.replace(/\.js$/, '.ts'), typeOnly: Boolean(match[1]) };
  });
}

function areaOf(file: string): Area | null {
  for (const [area, folder] of Object.entries(areas) as Array<[Area, string]>)
    if (file.startsWith(`${folder}/`)) return area;
  return null;
}

const files = Object.values(areas).flatMap((folder) => sourceFiles(path.join(projectRoot, folder)));
const edges: ImportEdge[] = files.flatMap((from) =>
  importsOf(from).flatMap(({ target, typeOnly }) => (target ? [{ from, to: target, typeOnly }] : [])),
);

/** Whether loading `file` loads TensorFlow.js, directly or through what it imports at run time. */
function loadsTensorFlow(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file) || !fs.existsSync(path.join(projectRoot, file))) return false;
  seen.add(file);
  return importsOf(file).some(({ specifier, target, typeOnly }) =>
    typeOnly ? false : target === null ? specifier.startsWith('@tensorflow/') : loadsTensorFlow(target, seen),
  );
}

const engineEntry = 'main/core/engine/engine-entry.ts';

/**
 * The engine's folders from the bottom up: a folder imports only from folders of lower layers (type imports too), so
 * an objective never reaches for training code, nor training for fine-tuning.
 */
const mlLayers = [
  ['backends', 'tokenizer'],
  ['model'],
  ['data'],
  ['objectives'],
  ['training', 'embedding'],
  ['finetune'],
  ['evaluation'],
  ['tasks'],
  ['engine'],
];
const mlFolder = (file: string): string => file.split('/')[1]!;
const mlLayer = (file: string): number => mlLayers.findIndex((layer) => layer.includes(mlFolder(file)));

/** What each area may import, beside itself. */
const allowed: Record<Area, Area[]> = { common: [], renderer: ['common'], ml: ['common'], main: ['common', 'ml'] };

describe('the import graph', () => {
  it('finds the imports it checks', () => {
    expect(files.length).toBeGreaterThan(200);
    expect(edges.some((edge) => edge.from.startsWith('renderer/') && edge.to.startsWith('common/'))).toBe(true);
    expect(loadsTensorFlow('ml/training/adamw.ts')).toBe(true);
    expect(loadsTensorFlow('common/encoder-config.ts')).toBe(false);
  });

  it('keeps each folder to what it may import: renderer and ml to common, common to nothing, never ml → main', () => {
    const found = new Set<string>();
    for (const edge of edges) {
      const from = areaOf(edge.from);
      const to = areaOf(edge.to);
      if (from && to && from !== to && !allowed[from].includes(to)) found.add(`${from} → ${edge.to}`);
    }
    expect([...found].sort()).toEqual([]);
  });

  it('lets main reach ml only through the engine entry and code that does not load TensorFlow', () => {
    const loading = edges
      .filter((edge) => areaOf(edge.from) === 'main' && areaOf(edge.to) === 'ml' && !edge.typeOnly)
      .filter((edge) => loadsTensorFlow(edge.to))
      .map((edge) => `${edge.from} → ${edge.to}`);
    // The engine process's entry starts the engine: the one place the core's code and TensorFlow meet, in that process.
    expect(loading).toEqual([`${engineEntry} → ml/engine/engine-process.ts`]);
  });

  it('keeps ml in layers: every folder in one, each importing only from the layers below it', () => {
    const mlFiles = files.filter((file) => areaOf(file) === 'ml');
    expect(mlFiles.filter((file) => mlLayer(file) < 0).map(mlFolder)).toEqual([]);
    const upward = edges
      .filter((edge) => areaOf(edge.from) === 'ml' && areaOf(edge.to) === 'ml')
      .filter((edge) => mlFolder(edge.from) !== mlFolder(edge.to) && mlLayer(edge.to) >= mlLayer(edge.from))
      .map((edge) => `${edge.from} → ${edge.to}`);
    expect(upward).toEqual([]);
  });
});
