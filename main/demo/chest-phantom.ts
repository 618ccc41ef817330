import type { Finding, Side, Zone } from './findings.js';
import type { SeededRandom } from '../../common/seeded-random.js';
import { ellipse, smoothstep } from './phantom-shapes.js';

export interface ChestImage {
  width: number;
  height: number;
  /** Stored values, 12 bits, MONOCHROME2 (brighter is denser). */
  pixels: Uint16Array;
  windowCenter: number;
  windowWidth: number;
}

const maximumValue = 4095;

interface LungGeometry {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/** Image-left is the patient's right on a PA film. */
function lungFor(side: Side, lungs: { right: LungGeometry; left: LungGeometry }): LungGeometry {
  return side === 'right' ? lungs.right : lungs.left;
}

function zoneCenterY(lung: LungGeometry, zone: Zone): number {
  const offset = { upper: -0.55, mid: 0, lower: 0.5 }[zone];
  return lung.cy + offset * lung.ry;
}

/** Maps pixel (column, row) to anatomy coordinates (x, y): shift, zoom and a small rotation of the patient. */
interface PixelMapping {
  x: [number, number, number];
  y: [number, number, number];
}

/**
 * A smooth pseudo-random texture (a sum of plane waves) over the whole image, for lung markings and bone
 * trabeculae. Under an affine pixel mapping each wave is separable in column and row, so the field costs two
 * multiply-adds per wave and pixel instead of a sine.
 */
function textureField(
  random: SeededRandom,
  components: number,
  frequency: number,
  width: number,
  height: number,
  mapping: PixelMapping,
): Float32Array {
  const field = new Float32Array(width * height);
  const sinColumn = new Float32Array(width);
  const cosColumn = new Float32Array(width);
  for (let wave = 0; wave < components; wave++) {
    const fx = random.between(-frequency, frequency);
    const fy = random.between(-frequency, frequency);
    const phase = random.between(0, Math.PI * 2);
    const perColumn = fx * mapping.x[0] + fy * mapping.y[0];
    const perRow = fx * mapping.x[1] + fy * mapping.y[1];
    const constant = fx * mapping.x[2] + fy * mapping.y[2] + phase;
    for (let column = 0; column < width; column++) {
      sinColumn[column] = Math.sin(perColumn * column);
      cosColumn[column] = Math.cos(perColumn * column);
    }
    for (let row = 0; row < height; row++) {
      const sinRow = Math.sin(perRow * row + constant);
      const cosRow = Math.cos(perRow * row + constant);
      const base = row * width;
      for (let column = 0; column < width; column++)
        field[base + column]! += sinColumn[column]! * cosRow + cosColumn[column]! * sinRow;
    }
  }
  const scale = 1 / Math.sqrt(components);
  for (let index = 0; index < field.length; index++) field[index]! *= scale;
  return field;
}

/**
 * A frontal chest radiograph phantom: body outline, lung fields with vascular markings, mediastinum and heart,
 * diaphragm domes, spine, ribs and clavicles, quantum noise and exposure variation, with planted findings
 * (nodule, consolidation, effusion, cardiomegaly, pneumothorax) at their side and zone.
 */
export function drawChest(random: SeededRandom, findings: Finding[]): ChestImage {
  const width = 2 * random.integer(192, 256);
  const height = 2 * Math.round((width * random.between(1.0, 1.18)) / 2);
  const shiftX = random.between(-0.03, 0.03);
  const shiftY = random.between(-0.03, 0.03);
  const zoom = random.between(0.92, 1.04);
  const angle = (random.between(-3, 3) * Math.PI) / 180;
  const inspiration = random.between(0.9, 1.08);
  const cardiomegaly = findings.find((finding) => finding.name === 'cardiomegaly');
  const heartScale = cardiomegaly ? 1.38 + 0.25 * cardiomegaly.severity : random.between(0.88, 1.05);
  const lungs = {
    right: { cx: 0.315, cy: 0.44, rx: 0.155, ry: 0.3 * inspiration },
    left: { cx: 0.685, cy: 0.45, rx: 0.145, ry: 0.29 * inspiration },
  };
  const heart = { cx: 0.565, cy: 0.63, rx: 0.125 * heartScale, ry: 0.115 * Math.sqrt(heartScale) };
  const domeRight = lungs.right.cy + lungs.right.ry * 0.82;
  const domeLeft = lungs.left.cy + lungs.left.ry * 0.88;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // x = 0.5 + cos·px − sin·py − shiftX with px = (column/width − 0.5)/zoom, py = (row/height − 0.5)/zoom; likewise y.
  const mapping: PixelMapping = {
    x: [cos / (zoom * width), -sin / (zoom * height), 0.5 - shiftX - (cos * 0.5) / zoom + (sin * 0.5) / zoom],
    y: [sin / (zoom * width), cos / (zoom * height), 0.5 - shiftY - (sin * 0.5) / zoom - (cos * 0.5) / zoom],
  };
  const markings = textureField(random, 24, 90, width, height, mapping);
  const trabeculae = textureField(random, 12, 260, width, height, mapping);
  const soft = textureField(random, 8, 12, width, height, mapping);

  const nodules = findings
    .filter((finding) => finding.name === 'nodule')
    .map((finding) => {
      const lung = lungFor(finding.side, lungs);
      return {
        cx: lung.cx + random.between(-0.4, 0.4) * lung.rx,
        cy: zoneCenterY(lung, finding.zone) + random.between(-0.12, 0.12) * lung.ry,
        r: 0.012 + 0.022 * finding.severity,
      };
    });
  const consolidations = findings
    .filter((finding) => finding.name === 'consolidation')
    .map((finding) => {
      const lung = lungFor(finding.side, lungs);
      const cx = lung.cx + random.between(-0.25, 0.25) * lung.rx;
      const cy = zoneCenterY(lung, finding.zone);
      return Array.from({ length: 5 }, () => ({
        cx: cx + random.between(-0.05, 0.05),
        cy: cy + random.between(-0.05, 0.05),
        r: 0.035 + 0.035 * finding.severity,
      }));
    });
  const effusions = findings
    .filter((finding) => finding.name === 'effusion')
    .map((finding) => ({ side: finding.side, depth: 0.06 + 0.14 * finding.severity }));
  const pneumothoraces = findings
    .filter((finding) => finding.name === 'pneumothorax')
    .map((finding) => ({ side: finding.side, zone: finding.zone, width: 0.03 + 0.06 * finding.severity }));

  const ribs = (['right', 'left'] as const).flatMap((side) => {
    const lung = lungFor(side, lungs);
    const direction = side === 'right' ? -1 : 1;
    return Array.from({ length: 10 }, (_, index) => ({
      side,
      direction,
      y0: lung.cy - lung.ry * 0.95 + index * lung.ry * 0.2,
      curvature: 2.6 + index * 0.1,
      thickness: 0.011 + 0.002 * random.next(),
      lung,
    }));
  });

  const sides = ['right', 'left'] as const;
  const lungList = sides.map((side) => ({
    side,
    lung: lungFor(side, lungs),
    dome: side === 'right' ? domeRight : domeLeft,
    effusions: effusions.filter((effusion) => effusion.side === side),
  }));
  const ribTop = Math.min(lungs.right.cy - lungs.right.ry, lungs.left.cy - lungs.left.ry) - 0.03;
  const ribBottom = Math.max(domeRight, domeLeft) + 0.05;
  const gain = random.between(0.85, 1.12);
  const offset = random.between(-120, 120);
  const noiseSigma = random.between(14, 30);
  const pixels = new Uint16Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const x = mapping.x[0] * column + mapping.x[1] * row + mapping.x[2];
      const y = mapping.y[0] * column + mapping.y[1] * row + mapping.y[2];
      const pixel = row * width + column;
      const marking = markings[pixel]!;
      const trabecula = trabeculae[pixel]!;

      const body = ellipse(x, y, 0.5, 0.58, 0.47, 0.56, 0.04);
      let density = 180 + body * (1550 + 120 * soft[pixel]!);
      const shoulders = ellipse(x, y, 0.5, 0.1, 0.5, 0.12, 0.3);
      density += shoulders * 250;

      let lungAir = 0;
      for (const { side, lung, dome, effusions: sideEffusions } of lungList) {
        let inside = ellipse(x, y, lung.cx, lung.cy, lung.rx, lung.ry, 0.1);
        if (inside === 0) continue;
        inside *= 1 - smoothstep(dome - 0.015, dome + 0.01, y + 0.35 * (x - lung.cx) ** 2);
        for (const effusion of sideEffusions) {
          const lateral = side === 'right' ? lung.cx - x : x - lung.cx;
          const level =
            dome - effusion.depth + 0.6 * effusion.depth * Math.max(0, lateral / lung.rx) - 0.05 * effusion.depth;
          inside *= 1 - 0.85 * smoothstep(level - 0.01, level + 0.01, y);
        }
        lungAir = Math.max(lungAir, inside);
      }
      density -= lungAir * (900 - 90 * marking * (0.6 + 0.4 * smoothstep(0.15, 0.5, Math.abs(x - 0.5))));

      for (const pneumothorax of pneumothoraces) {
        const lung = lungFor(pneumothorax.side, lungs);
        const lateral = pneumothorax.side === 'right' ? lung.cx - lung.rx - x : x - lung.cx - lung.rx;
        const apex = zoneCenterY(lung, pneumothorax.zone);
        const band = ellipse(x, y, lung.cx, apex - 0.03, lung.rx * 1.02, lung.ry * 0.55, 0.02);
        const rim = smoothstep(-pneumothorax.width - 0.004, -pneumothorax.width, lateral) * band;
        density -= rim * (180 + 90 * marking);
        const line = Math.exp(-(((lateral + pneumothorax.width) / 0.0025) ** 2)) * band;
        density += line * 260;
      }

      const mediastinum = ellipse(x, y, 0.515, 0.4, 0.06, 0.32, 0.2);
      density += mediastinum * 380;
      density += ellipse(x, y, heart.cx, heart.cy, heart.rx, heart.ry, 0.06) * 650;
      const diaphragm =
        smoothstep(Math.min(domeRight, domeLeft) - 0.01, Math.min(domeRight, domeLeft) + 0.04, y) * body;
      density += diaphragm * 350;

      const spine = Math.exp(-(((x - 0.5) / 0.03) ** 4)) * body;
      density += spine * (200 + 50 * Math.sin(y * 95) + 30 * trabecula);

      if (y > ribTop && y < ribBottom)
        for (const rib of ribs) {
          const dx = (x - rib.lung.cx) * rib.direction;
          if (dx < -rib.lung.rx * 1.1 || dx > rib.lung.rx * 1.15) continue;
          const yc = rib.y0 + rib.curvature * (dx + rib.lung.rx * 0.4) ** 2 * 0.9;
          const distance = Math.abs(y - yc);
          if (distance < rib.thickness * 1.6)
            density += (1 - smoothstep(rib.thickness * 0.7, rib.thickness * 1.6, distance)) * (230 + 40 * trabecula);
        }
      if (y < 0.3 && Math.abs(x - 0.5) < 0.3)
        density += (1 - smoothstep(0.008, 0.018, Math.abs(y - (0.17 + 0.25 * (x - 0.5) ** 2)))) * 320;

      for (const nodule of nodules)
        if (Math.abs(x - nodule.cx) < nodule.r * 1.5 && Math.abs(y - nodule.cy) < nodule.r * 1.5)
          density += ellipse(x, y, nodule.cx, nodule.cy, nodule.r, nodule.r, 0.25) * 560;
      for (const blobs of consolidations) {
        let opacity = 0;
        for (const blob of blobs)
          opacity = Math.max(opacity, ellipse(x, y, blob.cx, blob.cy, blob.r, blob.r * 0.8, 0.6));
        density += opacity * lungAir * (520 + 120 * marking);
      }

      const value = gain * density + offset + noiseSigma * random.normal();
      pixels[pixel] = Math.max(0, Math.min(maximumValue, Math.round(value)));
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
