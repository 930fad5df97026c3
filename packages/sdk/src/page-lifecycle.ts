/**
 * Browser page lifecycle: the moments a page may be frozen or discarded without further notice
 * (`visibilitychange` to hidden — the last event mobile browsers reliably fire — and `pagehide`),
 * and `navigator.sendBeacon`, which hands a body to the browser to deliver after the page is gone.
 * Structural types, not the DOM lib: the SDK type-checks and runs in Node too.
 */

interface ListenerTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface PageEnvironment {
  readonly document: ListenerTarget & { readonly visibilityState: string };
  readonly window: ListenerTarget;
  /**
   * Queues `body` (JSON) for delivery to `url`; false when the browser refused it (over its
   * 64 KiB in-flight quota). Absent where the browser has no sendBeacon.
   */
  readonly sendBeacon?: (url: string, body: string) => boolean;
}

/** Browsers keep at most this many bytes of beacon and keepalive bodies in flight per page. */
export const BEACON_MAX_BYTES = 64 * 1024;

/** The page environment of the current runtime, or undefined outside a browser page. */
export function detectPageEnvironment(scope: object = globalThis): PageEnvironment | undefined {
  const { document, window, navigator } = scope as {
    document?: { visibilityState?: unknown };
    window?: Partial<ListenerTarget>;
    navigator?: { sendBeacon?: (url: string, data: unknown) => boolean };
  };
  if (!isTarget(document) || typeof document.visibilityState !== 'string' || !isTarget(window)) {
    return undefined;
  }
  const beacon = navigator?.sendBeacon;
  return {
    document: document as PageEnvironment['document'],
    window,
    ...(typeof beacon === 'function'
      ? {
          // A JSON Blob so the collector parses the body; called on navigator, which it requires.
          sendBeacon: (url: string, body: string) =>
            beacon.call(navigator, url, new Blob([body], { type: 'application/json' })),
        }
      : {}),
  };
}

/** Calls `onHide` whenever the page is hidden or being unloaded; returns the unsubscribe function. */
export function watchPageHide(page: PageEnvironment, onHide: () => void): () => void {
  const onVisibility = () => {
    if (page.document.visibilityState === 'hidden') onHide();
  };
  page.document.addEventListener('visibilitychange', onVisibility);
  page.window.addEventListener('pagehide', onHide);
  return () => {
    page.document.removeEventListener('visibilitychange', onVisibility);
    page.window.removeEventListener('pagehide', onHide);
  };
}

function isTarget(value: unknown): value is ListenerTarget {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ListenerTarget>).addEventListener === 'function' &&
    typeof (value as Partial<ListenerTarget>).removeEventListener === 'function'
  );
}
