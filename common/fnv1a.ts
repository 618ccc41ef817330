/**
 * FNV-1a over a string's UTF-16 code units, as a 32-bit unsigned number: the one hash for seeds and orderings that
 * must not change between runs or machines. `basis` defaults to FNV's offset basis; mixing another number into it
 * gives a family of hashes.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}
