import type { SeededRandom } from '../../common/seeded-random.js';
import type { ChestImage } from './chest-phantom.js';
import type { Finding } from './findings.js';
import { ellipse, smoothstep } from './phantom-shapes.js';

const maximumValue = 4095;

/**
 * A lateral chest radiograph phantom (patient facing image-left): the thorax in profile, the spine behind, the sternum
 * in front, the heart in the lower anterior chest, the diaphragm, with the findings a lateral view shows: a larger
 * heart, fluid in the posterior costophrenic recess, a nodule or a patch of consolidation projected over the lungs.
 */
export function drawLateralChest(random: SeededRandom, findings: Finding[]): ChestImage {
  const width = 2 * random.integer(192, 240);
  const height = 2 * Math.round((width * random.between(1.05, 1.2)) / 2);
  const cardiomegaly = findings.find((finding) => finding.name === 'cardiomegaly');
  const heartScale = cardiomegaly ? 1.3 + 0.25 * cardiomegaly.severity : random.between(0.9, 1.05);
  const effusion = findings.find((finding) => finding.name === 'effusion');
  const fluidDepth = effusion ? 0.05 + 0.12 * effusion.severity : 0;
  // Where a finding projects on a lateral film: across the lungs, at its zone's height, its size by severity.
  const projected = (
    name: Finding['name'],
    across: [number, number],
    heights: Record<Finding['zone'], number>,
    radius: (severity: number) => number,
  ) => {
    const finding = findings.find((candidate) => candidate.name === name);
    return finding ? { x: random.between(...across), y: heights[finding.zone], r: radius(finding.severity) } : null;
  };
  const noduleAt = projected('nodule', [0.42, 0.62], { upper: 0.3, mid: 0.45, lower: 0.6 }, (s) => 0.012 + 0.02 * s);
  const patchAt = projected(
    'consolidation',
    [0.45, 0.65],
    { upper: 0.32, mid: 0.47, lower: 0.62 },
    (s) => 0.05 + 0.05 * s,
  );
  const gain = random.between(0.85, 1.12);
  const offset = random.between(-120, 120);
  const noiseSigma = random.between(14, 30);
  const dome = random.between(0.7, 0.76);
  const pixels = new Uint16Array(width * height);
  for (let row = 0; row < height; row++) {
    const y = row / height;
    for (let column = 0; column < width; column++) {
      const x = column / width;
      const body = ellipse(x, y, 0.5, 0.55, 0.4, 0.55, 0.05);
      let density = 180 + body * 1650;
      // One air field where both lungs overlap, above the diaphragm and in front of the spine.
      let lungs =
        ellipse(x, y, 0.52, 0.45, 0.27, 0.33, 0.12) *
        (1 - smoothstep(dome - 0.02, dome + 0.02, y + 0.5 * (x - 0.6) ** 2));
      if (fluidDepth > 0)
        lungs *=
          1 - 0.85 * smoothstep(dome - fluidDepth - 0.01, dome - fluidDepth + 0.01, y) * smoothstep(0.55, 0.7, x);
      density -= lungs * 850;
      density += ellipse(x, y, 0.38, 0.6, 0.13 * heartScale, 0.14 * Math.sqrt(heartScale), 0.08) * 600;
      density += Math.exp(-(((x - 0.82) / 0.035) ** 4)) * body * (380 + 60 * Math.sin(y * 60));
      density += Math.exp(-(((x - 0.18) / 0.012) ** 2)) * body * 300;
      density += smoothstep(dome - 0.01, dome + 0.04, y + 0.5 * (x - 0.6) ** 2) * body * 300;
      if (noduleAt) density += ellipse(x, y, noduleAt.x, noduleAt.y, noduleAt.r, noduleAt.r, 0.25) * 520;
      if (patchAt) density += ellipse(x, y, patchAt.x, patchAt.y, patchAt.r, patchAt.r * 0.8, 0.6) * lungs * 500;
      const value = gain * density + offset + noiseSigma * random.normal();
      pixels[row * width + column] = Math.max(0, Math.min(maximumValue, Math.round(value)));
    }
  }
  return {
    width,
    height,
    pixels,
    windowCenter: Math.round(gain * 1200 + offset),
    windowWidth: Math.round(gain * 2600),
  };
}
