export * from './keys.js';
export * from './popularity.js';
export { readTopPopular, type PopularItem } from './popularity.reader.js';
export { toItemMeta, readItemMeta, type ItemMeta } from './item-meta.js';
