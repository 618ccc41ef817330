import type { SeededRandom } from '../../common/seeded-random.js';

export const findingNames = ['nodule', 'consolidation', 'effusion', 'cardiomegaly', 'pneumothorax'] as const;
export type FindingName = (typeof findingNames)[number];
export type Side = 'right' | 'left';
export type Zone = 'upper' | 'mid' | 'lower';

export interface Finding {
  name: FindingName;
  side: Side;
  zone: Zone;
  /** 0..1: small to large. */
  severity: number;
}

const findingWeights: Record<FindingName, number> = {
  nodule: 0.25,
  consolidation: 0.25,
  effusion: 0.2,
  cardiomegaly: 0.15,
  pneumothorax: 0.15,
};

function drawFinding(random: SeededRandom, taken: Set<FindingName>): FindingName {
  const candidates = findingNames.filter((name) => !taken.has(name));
  const total = candidates.reduce((sum, name) => sum + findingWeights[name], 0);
  let threshold = random.next() * total;
  for (const name of candidates) {
    threshold -= findingWeights[name];
    if (threshold <= 0) return name;
  }
  return candidates.at(-1)!;
}

/** About half the studies are normal; an abnormal one has one finding, sometimes two, each with side, zone and size. */
export function sampleFindings(random: SeededRandom): Finding[] {
  if (random.chance(0.5)) return [];
  const count = random.chance(0.28) ? 2 : 1;
  const taken = new Set<FindingName>();
  const findings: Finding[] = [];
  for (let index = 0; index < count; index++) {
    const name = drawFinding(random, taken);
    taken.add(name);
    const zone: Zone =
      name === 'effusion'
        ? 'lower'
        : name === 'pneumothorax'
          ? random.pick(['upper', 'upper', 'mid'] as const)
          : random.pick(['upper', 'mid', 'lower'] as const);
    findings.push({ name, side: random.pick(['right', 'left'] as const), zone, severity: random.next() });
  }
  return findings;
}
