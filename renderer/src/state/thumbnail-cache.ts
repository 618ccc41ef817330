import type { ApiClient } from '../../../common/contract/index.js';

const capacity = 3000;
const cache = new Map<number, Promise<string>>();

/** Thumbnails as data URLs, fetched once and kept for the most recent few thousand images. */
export function thumbnailUrl(api: ApiClient, imageId: number): Promise<string> {
  const cached = cache.get(imageId);
  if (cached) {
    cache.delete(imageId);
    cache.set(imageId, cached);
    return cached;
  }
  const loading = api.call('library.thumbnail', { imageId }).then((reply) => reply.dataUrl);
  loading.catch(() => cache.delete(imageId));
  cache.set(imageId, loading);
  if (cache.size > capacity) cache.delete(cache.keys().next().value!);
  return loading;
}
