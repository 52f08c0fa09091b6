// Who sent a runtime message, decided from what the browser reports about the sender and never
// from the message itself: one of the extension's own pages, or a content script in a web page
// (with that page's origin and browser tab).

import type { PageCaller } from '../tabs/tab-service';

/** The fields of runtime.MessageSender this decision reads. */
export interface SenderInfo {
  readonly id?: string;
  readonly url?: string;
  readonly origin?: string;
  readonly tab?: { readonly id?: number; readonly url?: string };
}

export interface ExtensionIdentity {
  readonly id: string;
  /** runtime.getURL(''), e.g. chrome-extension://<id>/ */
  readonly baseUrl: string;
}

export type SenderKind =
  | { readonly kind: 'extension-page' }
  | { readonly kind: 'web-page'; readonly caller: PageCaller }
  | { readonly kind: 'unknown' };

function webOriginOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export function classifySender(sender: SenderInfo, extension: ExtensionIdentity): SenderKind {
  if (sender.id !== extension.id) return { kind: 'unknown' };
  if (sender.url?.startsWith(extension.baseUrl)) return { kind: 'extension-page' };
  const browserTabId = sender.tab?.id;
  if (browserTabId === undefined) return { kind: 'unknown' };
  // Chrome reports the frame's origin; Firefox reports the frame's URL; the tab URL is the last resort.
  const origin = webOriginOf(sender.origin) ?? webOriginOf(sender.url) ?? webOriginOf(sender.tab?.url);
  return origin ? { kind: 'web-page', caller: { origin, browserTabId } } : { kind: 'unknown' };
}
