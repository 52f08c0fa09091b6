// Is the Opentab extension on this page? Its content script marks <html> with
// data-opentab-bridge="1" and answers hello; both must hold before a button is offered.

import type { BRIDGE_PROTOCOL_VERSION } from '../../protocol/messages/bridge';
import type { BridgeClient } from './bridge-client';
import type { ExtensionState } from './state';

export const BRIDGE_ATTRIBUTE = 'data-opentab-bridge';
/** The bridge protocol this widget speaks; newer extensions keep answering it. */
export const WIDGET_PROTOCOL_VERSION: typeof BRIDGE_PROTOCOL_VERSION = 3;
/** The oldest extension this widget works with: version 1 takes every request as a posted message. */
export const OLDEST_EXTENSION_PROTOCOL_VERSION = 1;

async function checkExtension(root: Element, bridge: BridgeClient): Promise<ExtensionState> {
  if (root.getAttribute(BRIDGE_ATTRIBUTE) !== '1') return { kind: 'absent' };
  try {
    const hello = await bridge.call('hello', {});
    if (hello.protocolVersion < OLDEST_EXTENSION_PROTOCOL_VERSION) return { kind: 'outdated' };
    return { kind: 'present', walletState: hello.walletState };
  } catch {
    return { kind: 'unresponsive' };
  }
}

/**
 * Reports the extension's state now, and again if the mark appears later: a content script
 * injected after load (the customer installs or enables the extension while reading) upgrades
 * the page's buttons without a reload. Resolves once the first check is done.
 */
export async function watchExtension(
  root: Element,
  bridge: BridgeClient,
  onChange: (state: ExtensionState) => void,
): Promise<void> {
  let marked = root.getAttribute(BRIDGE_ATTRIBUTE) === '1';
  new MutationObserver(() => {
    const nowMarked = root.getAttribute(BRIDGE_ATTRIBUTE) === '1';
    if (nowMarked && !marked) void checkExtension(root, bridge).then(onChange);
    marked = nowMarked;
  }).observe(root, { attributes: true, attributeFilter: [BRIDGE_ATTRIBUTE] });
  onChange(await checkExtension(root, bridge));
}
