import type { SeededRandom } from '../../common/seeded-random.js';
import type { ChestImage } from './chest-phantom.js';

/**
 * A film drawn at the phantom's size made the size of a real detector's (2,000–3,000 px): bilinear enlargement to
 * `width` (the height keeps the aspect ratio), then detector noise at the new pixel pitch, so that compressed sizes
 * and decoding work are those of a real film rather than of a smooth enlargement.
 */
export function enlargeFilm(image: ChestImage, width: number, random: SeededRandom): ChestImage {
  const height = 2 * Math.round((image.height * width) / image.width / 2);
  const pixels = new Uint16Array(width * height);
  const scaleX = (image.width - 1) / (width - 1);
  const scaleY = (image.height - 1) / (height - 1);
  const noise = random.between(6, 12);
  for (let row = 0; row < height; row++) {
    const y = row * scaleY;
    const y0 = Math.min(image.height - 2, Math.floor(y));
    const fy = y - y0;
    for (let column = 0; column < width; column++) {
      const x = column * scaleX;
      const x0 = Math.min(image.width - 2, Math.floor(x));
      const fx = x - x0;
      const top = image.pixels[y0 * image.width + x0]! * (1 - fx) + image.pixels[y0 * image.width + x0 + 1]! * fx;
      const bottom =
        image.pixels[(y0 + 1) * image.width + x0]! * (1 - fx) + image.pixels[(y0 + 1) * image.width + x0 + 1]! * fx;
      const value = top * (1 - fy) + bottom * fy + noise * random.normal();
      pixels[row * width + column] = Math.max(0, Math.min(4095, Math.round(value)));
    }
  }
  return { ...image, width, height, pixels };
}
