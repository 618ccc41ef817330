// Soft-edged shapes the phantoms draw with, in the unit square of the image.

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Inside-ness of an ellipse with a soft rim: 1 well inside, 0 outside. */
export function ellipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number, softness = 0.08): number {
  const d = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
  return 1 - smoothstep(1 - softness, 1 + softness, d);
}
