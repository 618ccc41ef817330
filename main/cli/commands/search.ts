import { searchModes, SearchRequest, type SearchResponse } from '../../../common/contract/search.js';
import { CliUsageError, commonOptions, integerOption, numberOption, type CliCommand } from '../cli-command.js';
import { openCoreForCli } from '../open-core.js';

function describeResults(response: SearchResponse): string {
  const lines = [
    `${response.results.length} result(s) (${response.counts.wordMatches} by report words, ${response.counts.meaningOnly} by meaning alone${response.meaning?.minimumSimilarity != null ? ` at similarity ≥ ${response.meaning.minimumSimilarity.toFixed(3)}` : ''}), ${response.mode}, ${response.milliseconds.toFixed(0)} ms${response.interpreted.terms.length ? `; report terms: ${response.interpreted.terms.join(', ')}` : ''}${response.interpreted.excludedTerms.length ? `; absent: ${response.interpreted.excludedTerms.join(', ')}` : ''}${response.interpreted.imageWords.length ? `; read in the images: ${response.interpreted.imageWords.join(', ')}` : ''}`,
    ...response.notices.map((notice) => `  note: ${notice}`),
  ];
  response.results.forEach((result, index) => {
    const reasons = [
      result.why.semantic
        ? `similarity ${result.why.semantic.similarity.toFixed(3)} (#${result.why.semantic.rank})`
        : null,
      result.why.lexical ? `report: ${result.why.lexical.matchedTerms.join(', ')} (#${result.why.lexical.rank})` : null,
    ].filter(Boolean);
    lines.push(
      `${String(index + 1).padStart(3)}. ${result.score.toFixed(4)}  ${result.accessionNumber ?? '-'}  ${result.sopInstanceUid}  ${reasons.join('; ')}`,
    );
    if (result.why.lexical) lines.push(`       ${result.why.lexical.snippet.replace(/\s+/g, ' ')}`);
  });
  return lines.join('\n');
}

export const searchCommand: CliCommand = {
  name: 'search',
  summary: "Search the library's images by free text: semantic, lexical (negation-aware) or hybrid.",
  usage: `unisight search "<text>" [--k 20] [--mode ${searchModes.join('|')}] [--semantic-weight 0.2] [--meaning-cut-off calibrated|none] [--every-image] [--body-part P] [--model ID] [--library DIR] [--json]`,
  options: {
    ...commonOptions,
    k: { type: 'string' },
    mode: { type: 'string' },
    'semantic-weight': { type: 'string' },
    'meaning-cut-off': { type: 'string' },
    'body-part': { type: 'string' },
    model: { type: 'string' },
    'every-image': { type: 'boolean', default: false },
  },
  optionHelp: {
    k: 'how many images to return (default 20)',
    mode: "semantic (the model's text encoder), lexical (report words, negations respected) or hybrid (both, fused; the default)",
    'semantic-weight': 'hybrid only: 1 ranks by meaning alone, 0 by report words alone (default 0.2)',
    'meaning-cut-off':
      "calibrated (default): images found by meaning alone only above the model's calibrated similarity; none: the nearest whatever their similarity",
    'body-part': 'only images of this body part',
    'every-image': "list every matching image, not one a study (a study's other views and slices share its report)",
    model:
      'the model that encodes the query (default: the library search model, chosen on the Search page, else the newest with embeddings)',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length !== 1)
      throw new CliUsageError('search takes one query, in quotes: unisight search "small right pneumothorax"');
    const parsed = SearchRequest.safeParse({
      text: positionals[0],
      k: integerOption(values.k, 'k'),
      mode: values.mode,
      semanticWeight: numberOption(values['semantic-weight'], 'semantic-weight'),
      meaningCutOff: values['meaning-cut-off'],
      onePerStudy: !values['every-image'],
      filter: typeof values['body-part'] === 'string' ? { bodyPart: values['body-part'] } : {},
      modelId: values.model,
    });
    if (!parsed.success)
      throw new CliUsageError(
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; '),
      );
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const response = await core.handlers['search.query'](parsed.data);
      output.result({ ...response, results: response.results }, describeResults(response));
      return 0;
    } finally {
      await core.close();
    }
  },
};
