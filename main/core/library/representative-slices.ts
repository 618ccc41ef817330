import type Database from 'better-sqlite3';

/** Modalities whose series are volumes: a slice is one of many views of one anatomy under one report. */
export const volumetricModalities = ['CT', 'MR', 'PT', 'NM'] as const;
/** Slices a volume keeps for pairing, fine-tuning and search: evenly spaced through it, the middle one among them. */
export const slicesPerVolume = 5;

/**
 * Positions (0-based, in instance order) of the slices that stand for a series of `count`: all of a short one, else
 * `slicesPerVolume` evenly spaced (at 10%, 30%, 50%, 70% and 90% of the way through).
 */
export function representativePositions(count: number): Set<number> {
  if (count <= slicesPerVolume) return new Set(Array.from({ length: count }, (_, position) => position));
  return new Set(Array.from({ length: slicesPerVolume }, (_, k) => Math.floor(((k + 0.5) * count) / slicesPerVolume)));
}

/**
 * Records in the catalog (`images.represents_series`) which images stand for their series: every image of a
 * projection series (films, photographs), the representative slices of a volume. A 300-slice CT is then five items
 * for pretraining, fine-tuning and search, not 300 near-copies under one report; the other slices stay in the catalog
 * and the viewer. Runs after every import (a series may grow across imports) and returns how many marks changed.
 */
export function markRepresentativeSlices(database: Database.Database): number {
  const slices = database
    .prepare(
      `SELECT images.id AS imageId, images.series_id AS seriesId, images.represents_series AS represents
       FROM images JOIN series ON series.id = images.series_id
       WHERE series.modality IN (${volumetricModalities.map(() => '?').join(', ')})
       ORDER BY images.series_id, coalesce(images.instance_number, 0), images.id`,
    )
    .all(...volumetricModalities) as Array<{ imageId: number; seriesId: number; represents: number }>;
  const update = database.prepare('UPDATE images SET represents_series = ? WHERE id = ?');
  let changed = 0;
  database.transaction(() => {
    for (let start = 0; start < slices.length;) {
      let end = start;
      while (end < slices.length && slices[end]!.seriesId === slices[start]!.seriesId) end++;
      const kept = representativePositions(end - start);
      for (let position = 0; position < end - start; position++) {
        const slice = slices[start + position]!;
        const represents = kept.has(position) ? 1 : 0;
        if (slice.represents !== represents) {
          update.run(represents, slice.imageId);
          changed++;
        }
      }
      start = end;
    }
  })();
  return changed;
}
