/**
 * Lua scripts live in `.lua` files beside the module that runs them, and are read when first used
 * (a service's start, when its stores define their commands), never at import. A module names its
 * script with `new URL('./name.lua', import.meta.url)`, which resolves beside the source file: the
 * services run from source (tsx), so nothing is copied or built.
 */
import { readFileSync } from 'node:fs';

const scripts = new Map<string, string>();

/** The text of the script at `url`, read once per process. */
export function luaScript(url: URL): string {
  let text = scripts.get(url.href);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    scripts.set(url.href, text);
  }
  return text;
}
