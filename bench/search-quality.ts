// `npm run bench:search-quality -- --library DIR [--model ID] [--semantic-weight W] [--ground-truth FILE]`: the two
// query sets of main/core/search/search-quality.ts (the tuning set, and the held-out set never tuned on) on a library
// with labels and a trained model; Recall@10 and nDCG@10 per mode with chance, and by query length. Laterality is
// judged on the export's ground-truth.jsonl (found in the import folder, or given); without it, on the finding alone.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openCoreForCli } from '../main/cli/open-core.js';
import {
  evaluateSearchQuality,
  type GroundTruth,
  heldOutQueries,
  queryLength,
  queryLengths,
  type SearchQualityQuery,
  tuningQueries,
} from '../main/core/search/search-quality.js';

const { values } = parseArgs({
  options: {
    library: { type: 'string' },
    model: { type: 'string' },
    'semantic-weight': { type: 'string' },
    'ground-truth': { type: 'string' },
  },
});
const core = openCoreForCli(values.library);

function readGroundTruth(): { truth: GroundTruth | null; from: string } {
  const roots = (
    core.catalog.database.prepare('SELECT DISTINCT root_path AS root FROM import_runs').all() as Array<{ root: string }>
  ).map((row) => path.join(row.root, 'ground-truth.jsonl'));
  const file = values['ground-truth'] ?? roots.find((candidate) => fs.existsSync(candidate));
  if (!file) return { truth: null, from: 'none found: laterality judged on the finding alone' };
  const truth = new Map<string, Array<{ name: string; side: string }>>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const study = JSON.parse(line) as { accession_number: string; findings: Array<{ name: string; side: string }> };
    truth.set(study.accession_number, study.findings);
  }
  return { truth, from: file };
}

try {
  const base = {
    ...(values.model ? { modelId: values.model } : {}),
    ...(values['semantic-weight'] ? { semanticWeight: Number(values['semantic-weight']) } : {}),
  };
  const { truth, from } = readGroundTruth();
  console.log(`ground truth for laterality: ${from}`);
  const sets: Array<[string, readonly SearchQualityQuery[]]> = [
    ['tuning set (the hybrid weight and synonyms were fitted on it)', tuningQueries],
    ['held-out set (never tuned on)', heldOutQueries],
  ];
  for (const [name, queries] of sets) {
    const quality = await evaluateSearchQuality(
      core.catalog.database,
      (request) => core.handlers['search.query'](request),
      { queries, base, groundTruth: truth ?? undefined },
    );
    console.log(`\n${name}: ${queries.length} queries; Recall@10 and nDCG@10, mean over queries`);
    console.log('| mode | Recall@10 | chance Recall@10 | nDCG@10 |\n|---|---|---|---|');
    for (const mode of quality.modes)
      console.log(
        `| ${mode.mode} | ${mode.recallAt10.toFixed(3)} | ${quality.chanceRecallAt10.toFixed(3)} | ${mode.ndcgAt10.toFixed(3)} |`,
      );
    console.log('\nRecall@10 by query length (semantic / lexical / hybrid; chance):');
    for (const length of queryLengths) {
      const indices = queries.flatMap((query, index) => (queryLength(query.text) === length ? [index] : []));
      if (indices.length === 0) continue;
      const mean = (list: readonly number[]) => indices.reduce((sum, index) => sum + list[index]!, 0) / indices.length;
      console.log(
        `  ${length.padEnd(10)} (${String(indices.length).padStart(2)} queries) ${quality.modes.map((mode) => mean(mode.queries.map((scores) => scores.recallAt10)).toFixed(2)).join(' / ')}; chance ${mean(quality.chancePerQuery).toFixed(2)}`,
      );
    }
    console.log('\nper query (Recall@10 semantic / lexical / hybrid; chance):');
    queries.forEach((query, index) =>
      console.log(
        `  ${query.text.padEnd(48)} ${quality.modes.map((mode) => mode.queries[index]!.recallAt10.toFixed(2)).join(' / ')}; ${quality.chancePerQuery[index]!.toFixed(2)}`,
      ),
    );
  }
} finally {
  await core.close();
}
