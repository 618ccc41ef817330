// `npm run bench:search-quality -- --library DIR [--model ID] [--semantic-weight W]`: the fixed query set of
// main/core/search/search-quality.ts on a library with labels and a trained model; Recall@10 and nDCG@10 per mode.
import { parseArgs } from 'node:util';
import { openCoreForCli } from '../main/cli/open-core.js';
import { evaluateSearchQuality, searchQualityQueries } from '../main/core/search/search-quality.js';

const { values } = parseArgs({
  options: { library: { type: 'string' }, model: { type: 'string' }, 'semantic-weight': { type: 'string' } },
});
const core = openCoreForCli(values.library);
try {
  const base = {
    ...(values.model ? { modelId: values.model } : {}),
    ...(values['semantic-weight'] ? { semanticWeight: Number(values['semantic-weight']) } : {}),
  };
  const qualities = await evaluateSearchQuality(
    core.catalog.database,
    (request) => core.handlers['search.query'](request),
    base,
  );
  console.log(`${searchQualityQueries.length} queries; Recall@10 and nDCG@10 (mean over queries)\n`);
  console.log('| mode | Recall@10 | nDCG@10 |\n|---|---|---|');
  for (const quality of qualities)
    console.log(`| ${quality.mode} | ${quality.recallAt10.toFixed(3)} | ${quality.ndcgAt10.toFixed(3)} |`);
  console.log('\nper query (Recall@10 semantic / lexical / hybrid):');
  searchQualityQueries.forEach((query, index) =>
    console.log(
      `  ${query.text.padEnd(40)} ${qualities.map((quality) => quality.queries[index]!.recallAt10.toFixed(2)).join(' / ')}`,
    ),
  );
} finally {
  await core.close();
}
