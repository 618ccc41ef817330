import { csvText } from './csv.js';

/** What a classifier said about one image, as `finetune.predictions` returns it. */
export interface PredictionCsvRow {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  patientPseudonym: string;
  score: number;
  predictedClass: string | null;
  split: string;
}

/** A run's predictions as CSV, the same from the CLI (`--export`) and the app's download. */
export function predictionsCsv(rows: readonly PredictionCsvRow[]): string {
  return csvText(
    [
      'study_instance_uid',
      'series_instance_uid',
      'sop_instance_uid',
      'patient_pseudonym',
      'score',
      'predicted_class',
      'split',
    ],
    rows.map((row) => [
      row.studyInstanceUid,
      row.seriesInstanceUid,
      row.sopInstanceUid,
      row.patientPseudonym,
      row.score.toFixed(6),
      row.predictedClass,
      row.split,
    ]),
  );
}
