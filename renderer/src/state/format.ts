import type { JobKind } from '../../../common/contract/index.js';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return '<1 s';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export const jobKindLabels: Record<JobKind, string> = {
  'engine.selfcheck': 'Engine self-check',
  'library.import': 'Import',
  'model.pretrain': 'Pretraining',
  'model.finetune': 'Fine-tuning',
  'model.embed': 'Embedding for search',
  'bundle.export': 'Training bundle for a cluster',
};

/** DICOM dates (YYYYMMDD) as ISO dates for display and <input type="date">, and back. */
export function dicomDateToIso(value: string | null): string {
  return value && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : '';
}

export function isoDateToDicom(value: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.replaceAll('-', '') : undefined;
}

/** 1234567 → "1.2 M": parameter counts and sample totals at a glance. */
export function formatCount(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return String(value);
}
