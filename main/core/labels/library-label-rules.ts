import type Database from 'better-sqlite3';
import { chestRadiographRules, ReportLabelRules } from '../../../common/contract/report-label-rules.js';

/** Where in `library_meta` the library's rules are kept, as JSON. */
const metaKey = 'report_label_rules';

/** Parsed rules by their stored JSON, so each search reuses the patterns compiled for them (query-text.ts). */
const parsedRules = new Map<string, ReportLabelRules>();

/**
 * The rules this library reads reports with: the last set `labels.fromReports` labelled by, the built-in chest
 * radiograph rules until then. Weak labels and search (negation, synonyms) follow the same rules.
 */
export function libraryLabelRules(database: Database.Database): ReportLabelRules {
  const row = database.prepare('SELECT value FROM library_meta WHERE key = ?').get(metaKey) as
    { value: string } | undefined;
  if (!row) return chestRadiographRules;
  let rules = parsedRules.get(row.value);
  if (!rules) {
    // Stored by an older or newer version in another shape: search keeps working on the built-in rules.
    rules = ReportLabelRules.safeParse(safeJson(row.value)).data ?? chestRadiographRules;
    parsedRules.clear();
    parsedRules.set(row.value, rules);
  }
  return rules;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function saveLibraryLabelRules(database: Database.Database, rules: ReportLabelRules): void {
  database
    .prepare(
      'INSERT INTO library_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    .run(metaKey, JSON.stringify(rules));
}
