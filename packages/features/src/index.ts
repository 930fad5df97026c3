export * from './keys.js';
export * from './bounds.js';
export * from './popularity.js';
export * from './windows.js';
export { readTopPopular, type PopularItem } from './popularity.reader.js';
export { toItemMeta, readItemMeta, type ItemMeta } from './item-meta.js';
