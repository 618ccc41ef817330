import type { SeededRandom } from '../../common/seeded-random.js';
import type { ChestImage } from './chest-phantom.js';
import type { Finding } from './findings.js';
import { ellipse, smoothstep } from './phantom-shapes.js';

/** Stored values are Hounsfield units + 1024 (12 bits), as CT files with RescaleIntercept −1024 store them. */
export const ctRescaleIntercept = -1024;
const storedOf = (hounsfield: number) => Math.max(0, Math.min(4095, Math.round(hounsfield - ctRescaleIntercept)));
const zoneDepth = { upper: 0.25, mid: 0.5, lower: 0.72 } as const;

/**
 * An axial chest CT phantom, `slices` slices from the apices (first) to the bases: body with its fat rim, two lungs
 * that grow and shrink with depth, heart and mediastinum, spine, and the findings where they lie in 3-D: a nodule as a
 * small sphere, consolidation as denser lung, an effusion as dependent fluid behind the lung base, a pneumothorax as
 * featureless air in front of the lung, a larger heart. Image-left is the patient's right.
 */
export function drawCtSeries(random: SeededRandom, findings: Finding[], slices: number, size = 256): ChestImage[] {
  const heartScale = findings.some((finding) => finding.name === 'cardiomegaly') ? 1.35 : random.between(0.9, 1.05);
  const lungX = { right: 0.31, left: 0.69 };
  const nodules = findings
    .filter((finding) => finding.name === 'nodule')
    .map((finding) => ({
      x: lungX[finding.side] + random.between(-0.06, 0.06),
      y: 0.47 + random.between(-0.08, 0.08),
      z: zoneDepth[finding.zone],
      r: 0.015 + 0.025 * finding.severity,
    }));
  const consolidations = findings
    .filter((finding) => finding.name === 'consolidation')
    .map((finding) => ({ x: lungX[finding.side], z: zoneDepth[finding.zone], r: 0.06 + 0.06 * finding.severity }));
  const effusions = findings
    .filter((finding) => finding.name === 'effusion')
    .map((finding) => ({ side: finding.side, depth: 0.04 + 0.1 * finding.severity }));
  const pneumothoraces = findings
    .filter((finding) => finding.name === 'pneumothorax')
    .map((finding) => ({ side: finding.side, width: 0.03 + 0.05 * finding.severity }));
  const noise = random.between(10, 20);
  return Array.from({ length: slices }, (_, slice) => {
    const z = (slice + 0.5) / slices;
    // The lungs' cross-section: small at the apices, widest in the middle, cut by the diaphragm at the bases.
    const profile = Math.sin(Math.PI * Math.min(1, 0.15 + 0.95 * z)) * (1 - smoothstep(0.8, 0.98, z) * 0.7);
    const pixels = new Uint16Array(size * size);
    for (let row = 0; row < size; row++) {
      const y = (row + 0.5) / size;
      for (let column = 0; column < size; column++) {
        const x = (column + 0.5) / size;
        const body = ellipse(x, y, 0.5, 0.5, 0.44, 0.32, 0.02);
        // Soft tissue at 40 HU inside a rim of fat at −100 HU.
        let hounsfield = -1000 + body * 1040 - body * (1 - ellipse(x, y, 0.5, 0.5, 0.4, 0.28, 0.02)) * 140;
        for (const side of ['right', 'left'] as const) {
          let lung = ellipse(x, y, lungX[side], 0.48, 0.15 * profile, 0.22 * profile, 0.08);
          if (lung === 0) continue;
          for (const effusion of effusions)
            if (effusion.side === side)
              lung *= 1 - smoothstep(0.7 - effusion.depth * 3, 0.72 - effusion.depth * 3, y) * smoothstep(0.5, 0.7, z);
          let air = -860 + 40 * Math.sin(x * 90 + y * 70 + z * 20);
          for (const pneumothorax of pneumothoraces)
            if (pneumothorax.side === side && y < 0.3 + pneumothorax.width && z < 0.6) air = -1000;
          for (const patch of consolidations)
            if (Math.abs(patch.x - lungX[side]) < 0.01)
              air +=
                ellipse(x, y, patch.x, 0.5, patch.r, patch.r, 0.5) *
                smoothstep(patch.r * 2, 0, Math.abs(z - patch.z)) *
                820;
          hounsfield = hounsfield * (1 - lung) + air * lung;
        }
        const heart = ellipse(x, y, 0.54, 0.46, 0.13 * heartScale, 0.12 * heartScale, 0.06) * smoothstep(0.35, 0.5, z);
        hounsfield = hounsfield * (1 - heart) + 40 * heart;
        const mediastinum = ellipse(x, y, 0.5, 0.42, 0.06, 0.12, 0.2) * (1 - smoothstep(0.4, 0.5, z));
        hounsfield = hounsfield * (1 - mediastinum) + 30 * mediastinum;
        const spine = ellipse(x, y, 0.5, 0.74, 0.05, 0.05, 0.1);
        hounsfield = hounsfield * (1 - spine) + (250 + 500 * (1 - ellipse(x, y, 0.5, 0.74, 0.038, 0.038, 0.1))) * spine;
        for (const nodule of nodules) {
          const across = nodule.r ** 2 - ((z - nodule.z) * 0.6) ** 2;
          if (across > 0) {
            const inside = ellipse(x, y, nodule.x, nodule.y, Math.sqrt(across), Math.sqrt(across), 0.2);
            hounsfield = hounsfield * (1 - inside) + 35 * inside;
          }
        }
        pixels[row * size + column] = storedOf(hounsfield + noise * random.normal());
      }
    }
    return { width: size, height: size, pixels, windowCenter: storedOf(-600), windowWidth: 1500 };
  });
}
