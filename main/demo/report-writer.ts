import type { Finding, FindingName, Side, Zone } from './findings.js';
import type { SeededRandom } from '../../common/seeded-random.js';

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function size(random: SeededRandom, severity: number): string {
  return severity < 0.4
    ? random.pick(['small', 'small', 'minor'])
    : severity < 0.75
      ? random.pick(['moderate', 'moderate-sized'])
      : random.pick(['large', 'sizeable']);
}

function zonePhrase(random: SeededRandom, zone: Zone): string {
  return {
    upper: random.pick(['upper zone', 'apical region', 'upper lobe']),
    mid: random.pick(['mid zone', 'perihilar region', 'mid zone']),
    lower: random.pick(['lower zone', 'base', 'lower lobe']),
  }[zone];
}

function sidePhrase(random: SeededRandom, side: Side): string {
  return random.chance(0.15) ? (side === 'right' ? 'R' : 'L') : side;
}

const describe: Record<FindingName, (random: SeededRandom, finding: Finding) => string> = {
  nodule: (random, finding) =>
    `${random.pick(['There is a', 'A', 'Note is made of a'])} ${Math.round(6 + finding.severity * 18)} mm ${random.pick(['nodule', 'pulmonary nodule', 'rounded opacity', 'nodular opacity'])} in the ${sidePhrase(random, finding.side)} ${zonePhrase(random, finding.zone)}.`,
  consolidation: (random, finding) =>
    `${capitalise(random.pick(['consolidation', 'airspace opacification', 'patchy airspace consolidation', 'airspace shadowing']))} in the ${sidePhrase(random, finding.side)} ${zonePhrase(random, finding.zone)}${random.chance(0.5) ? ', in keeping with infection' : ''}.`,
  effusion: (random, finding) =>
    `${capitalise(size(random, finding.severity))} ${sidePhrase(random, finding.side)} pleural effusion${random.chance(0.5) ? ' with blunting of the costophrenic angle' : ''}.`,
  cardiomegaly: (random) =>
    random.pick([
      'The heart is enlarged.',
      'Cardiomegaly.',
      'The cardiac silhouette is enlarged (cardiomegaly).',
      'Enlarged cardiac silhouette.',
    ]),
  pneumothorax: (random, finding) =>
    `${capitalise(size(random, finding.severity))} ${sidePhrase(random, finding.side)} ${finding.zone === 'upper' ? 'apical ' : ''}pneumothorax${random.chance(0.5) ? ' with a visible pleural edge' : ''}.`,
};

const negations: Record<FindingName, string[]> = {
  nodule: ['No suspicious pulmonary nodule.', 'No focal nodule or mass.', 'No nodules are seen.'],
  consolidation: ['No focal consolidation.', 'No airspace opacity.', 'No consolidation.'],
  effusion: ['No pleural effusion.', 'No effusions.', 'Costophrenic angles are clear.', 'No pleural effusion is seen.'],
  cardiomegaly: [
    'Heart size is normal.',
    'Normal cardiac size.',
    'The cardiomediastinal silhouette is within normal limits.',
  ],
  pneumothorax: ['No pneumothorax.', 'There is no pneumothorax.', 'No evidence of pneumothorax.'],
};

const impressions: Record<FindingName, (random: SeededRandom, finding: Finding) => string> = {
  nodule: (random, finding) =>
    `${capitalise(finding.side)} pulmonary nodule${random.chance(0.5) ? '; CT recommended' : ''}.`,
  consolidation: (random, finding) =>
    `${capitalise(finding.side)} ${finding.zone} zone ${random.pick(['consolidation', 'pneumonia', 'consolidation, likely infective'])}.`,
  effusion: (_random, finding) => `${capitalise(finding.side)} pleural effusion.`,
  cardiomegaly: (random) => random.pick(['Cardiomegaly.', 'Enlarged heart.']),
  pneumothorax: (random, finding) =>
    `${capitalise(finding.side)} pneumothorax${random.chance(0.5) ? '. Findings communicated to the referring team' : ''}.`,
};

const histories = [
  'Cough.',
  'Shortness of breath.',
  'Fever and cough.',
  'Chest pain.',
  'Pre-operative assessment.',
  'Follow-up.',
  'Desaturation.',
  'Trauma.',
  'Routine check.',
];

/**
 * A free-text report in varied clinical language: findings and impression sections, synonyms, laterality, negations.
 */
export function writeReport(
  random: SeededRandom,
  findings: Finding[],
  view: string,
  examination = `XR CHEST ${view}`,
): string {
  const present = new Set(findings.map((finding) => finding.name));
  const sentences = findings.map((finding) => describe[finding.name](random, finding));
  for (const name of Object.keys(negations) as FindingName[]) {
    if (!present.has(name) && random.chance(0.6)) sentences.push(random.pick(negations[name]));
  }
  if (random.chance(0.3))
    sentences.push(
      random.pick([
        'Bony structures are unremarkable.',
        'No acute bony abnormality.',
        'Mediastinal contours are normal.',
      ]),
    );
  const ordered = random.shuffle(sentences);
  const impression =
    findings.length === 0
      ? random.pick([
          'No acute cardiopulmonary abnormality.',
          examination.startsWith('CT') ? 'Normal CT of the chest.' : 'Normal chest radiograph.',
          'No active disease.',
          'Normal study.',
        ])
      : findings.map((finding) => impressions[finding.name](random, finding)).join(' ');
  const header = random.chance(0.7) ? `EXAMINATION: ${examination}\nCLINICAL HISTORY: ${random.pick(histories)}\n` : '';
  const findingsLabel = random.pick(['FINDINGS:', 'Findings:', 'REPORT:']);
  const impressionLabel = random.pick(['IMPRESSION:', 'Impression:', 'CONCLUSION:']);
  return `${header}${findingsLabel} ${ordered.join(' ')}\n${impressionLabel} ${impression}`;
}
