import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { Cohort, CohortMember } from '../../../common/contract/search.js';

/** Named result sets kept in the catalog, for export to downstream research. */
export class CohortStore {
  constructor(private readonly database: Database.Database) {}

  save(
    name: string,
    query: Record<string, unknown>,
    members: ReadonlyArray<{ imageId: number; score: number }>,
  ): Cohort {
    if (members.length === 0) throw new ApiError('invalid-input', 'A cohort needs at least one image.');
    if (this.database.prepare('SELECT 1 FROM cohorts WHERE name = ?').get(name))
      throw new ApiError('conflict', `A cohort named "${name}" exists already; choose another name.`);
    const known = new Set(
      (
        this.database
          .prepare('SELECT id FROM images WHERE id IN (SELECT value FROM json_each(?))')
          .all(JSON.stringify(members.map((member) => member.imageId))) as Array<{ id: number }>
      ).map((row) => row.id),
    );
    const missing = members.find((member) => !known.has(member.imageId));
    if (missing) throw new ApiError('not-found', `No image with id ${missing.imageId}.`);
    const id = this.database.transaction(() => {
      const cohortId = Number(
        this.database
          .prepare('INSERT INTO cohorts (name, query_json, created_at) VALUES (?, ?, ?)')
          .run(name, JSON.stringify(query), new Date().toISOString()).lastInsertRowid,
      );
      const insert = this.database.prepare(
        'INSERT OR IGNORE INTO cohort_members (cohort_id, image_id, rank, score) VALUES (?, ?, ?, ?)',
      );
      members.forEach((member, index) => insert.run(cohortId, member.imageId, index + 1, member.score));
      return cohortId;
    })();
    return this.get(id);
  }

  list(): Cohort[] {
    return (
      this.database.prepare('SELECT id FROM cohorts ORDER BY created_at DESC, id DESC').all() as Array<{ id: number }>
    ).map((row) => this.get(row.id));
  }

  get(cohortId: number): Cohort {
    const row = this.database
      .prepare(
        'SELECT id, name, query_json AS queryJson, created_at AS createdAt, (SELECT count(*) FROM cohort_members WHERE cohort_id = cohorts.id) AS size FROM cohorts WHERE id = ?',
      )
      .get(cohortId) as { id: number; name: string; queryJson: string; createdAt: string; size: number } | undefined;
    if (!row) throw new ApiError('not-found', `No cohort with id ${cohortId}.`);
    return {
      id: row.id,
      name: row.name,
      query: JSON.parse(row.queryJson) as Record<string, unknown>,
      size: row.size,
      createdAt: row.createdAt,
    };
  }

  /** The export rows: identifiers for downstream work, pseudonymised patient, rank and score. */
  members(cohortId: number): CohortMember[] {
    this.get(cohortId);
    return this.database
      .prepare(
        `SELECT cohort_members.rank AS rank, cohort_members.score AS score, studies.study_instance_uid AS studyInstanceUid, series.series_instance_uid AS seriesInstanceUid,
           images.sop_instance_uid AS sopInstanceUid, studies.accession_number AS accessionNumber, patients.pseudonym AS patientPseudonym
         FROM cohort_members JOIN images ON images.id = cohort_members.image_id JOIN series ON series.id = images.series_id
         JOIN studies ON studies.id = series.study_id JOIN patients ON patients.id = studies.patient_id
         WHERE cohort_members.cohort_id = ? ORDER BY cohort_members.rank`,
      )
      .all(cohortId) as CohortMember[];
  }
}
