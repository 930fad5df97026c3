/**
 * User-agent parsing for analysts (browser, OS, device type) and bot flagging.
 *
 * Parsing a user agent costs tens of microseconds, and a shop's traffic repeats a few thousand
 * distinct strings, so results are memoised in a bounded map (cleared when full: simpler than an
 * LRU and just as good for a heavy-tailed distribution that refills its head in milliseconds).
 */
import Bowser from 'bowser';
import { DEVICE_TYPES, type DeviceInfo } from '@recstream/schemas';

const MAX_CACHED = 10_000;
/**
 * Real user agents are a few hundred characters; headers may be 16 KB. Only the start is parsed
 * and remembered, so the memo holds at most MAX_CACHED x 512 characters (~10 MB), not ~160 MB.
 */
const MAX_USER_AGENT_LENGTH = 512;
const cache = new Map<string, DeviceInfo | undefined>();
const deviceTypes: ReadonlySet<string> = new Set(DEVICE_TYPES);

function parse(userAgent: string): DeviceInfo | undefined {
  const parsed = Bowser.parse(userAgent);
  const platformType = parsed.platform.type ?? '';
  const device: DeviceInfo = {
    browser: parsed.browser.name ?? '',
    browser_version: parsed.browser.version ?? '',
    os: parsed.os.name ?? '',
    device_type: deviceTypes.has(platformType) ? (platformType as DeviceInfo['device_type']) : '',
  };
  const saysNothing = device.browser === '' && device.os === '' && device.device_type === '';
  return saysNothing ? undefined : device;
}

export function parseUserAgent(header: string | undefined): DeviceInfo | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const userAgent = header.slice(0, MAX_USER_AGENT_LENGTH);
  if (cache.has(userAgent)) return cache.get(userAgent);
  const device = parse(userAgent);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(userAgent, device);
  return device;
}
