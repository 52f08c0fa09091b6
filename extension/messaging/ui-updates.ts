// The background tells the extension's open pages that what they show may have changed, over a
// port each page opens: the page then asks again (getOverview, ...) instead of polling.

export const UI_UPDATES_PORT = 'opentab:ui-updates';

export interface UiUpdateMessage {
  readonly kind: 'changed';
}

export function isUiUpdateMessage(message: unknown): message is UiUpdateMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'changed';
}
