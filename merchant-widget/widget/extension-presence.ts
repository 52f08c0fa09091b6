// Is the Opentab extension on this page? The extension marks no page; the widget asks
// (protocol/core/messages/bridge.ts, Presence). It marks its own page as asking, so that a content
// script that starts later (the extension installed or enabled while the page is open) announces
// itself, and says hello: a content script posts a presence notice at once, and the background's
// answer follows, which may take a suspended service worker a moment to give.

import type { BRIDGE_PROTOCOL_VERSION, LEGACY_PRESENCE_ATTRIBUTE, PAGE_ASKS_ATTRIBUTE } from '@opentab/protocol';
import type { BridgeClient } from './bridge-client';
import type { ExtensionState } from './state';

// Copies of the protocol constants (importing them would bundle valibot); the types keep them equal.
export const ASKS_ATTRIBUTE: typeof PAGE_ASKS_ATTRIBUTE = 'data-opentab-asks';
const LEGACY_MARK: typeof LEGACY_PRESENCE_ATTRIBUTE = 'data-opentab-bridge';
/** The bridge protocol this widget speaks; newer extensions keep answering it. */
export const WIDGET_PROTOCOL_VERSION: typeof BRIDGE_PROTOCOL_VERSION = 5;
/** The oldest extension this widget works with: version 1 takes every request as a posted message. */
export const OLDEST_EXTENSION_PROTOCOL_VERSION = 1;
/**
 * How long a hello may go without a presence notice before the extension counts as absent. The
 * content script is in this page's own process and posts the notice before anything else; a
 * notice that still comes later turns the state into the extension's answer.
 */
export const PRESENCE_WAIT_MS = 500;
/**
 * How long after an unanswered hello the widget asks again, doubling up to the last: an extension
 * that noticed the hello but did not answer is busy (a service worker starting on a loaded
 * machine), not gone, and the reader should not have to reload the page for it.
 */
export const UNRESPONSIVE_RETRY_MS = [1_000, 2_000, 4_000, 8_000, 15_000] as const;

function afterMs(wait_ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, wait_ms));
}

/** `heard`: whether a presence notice came since this check began. */
async function checkExtension(root: Element, bridge: BridgeClient, heard: () => boolean): Promise<ExtensionState> {
  const answered = bridge.call('hello', {}).then(
    (hello): ExtensionState =>
      hello.protocolVersion < OLDEST_EXTENSION_PROTOCOL_VERSION
        ? { kind: 'outdated' }
        : { kind: 'present', walletState: hello.walletState },
    // An error answer, or no answer from an extension that is there.
    (): ExtensionState => ({ kind: 'unresponsive' }),
  );
  // An extension from before version 4 posts no notice, but its content script marked the page.
  const silence = afterMs(PRESENCE_WAIT_MS).then(() =>
    heard() || root.getAttribute(LEGACY_MARK) === '1' ? answered : ({ kind: 'absent' } as const),
  );
  return Promise.race([answered, silence]);
}

/**
 * Reports the extension's state, and again when a content script announces itself later (a
 * notice to a page the widget had found without the extension, or an 'arrived' one: its hello
 * may have gone out before the content script was there). Resolves once a state is reported.
 */
export function watchExtension(
  root: Element,
  bridge: BridgeClient,
  onChange: (state: ExtensionState) => void,
): Promise<void> {
  let latestCheck = 0;
  let checking = false;
  let current: ExtensionState = { kind: 'checking' };
  let heardSinceCheck = false;
  let unansweredInRow = 0;
  let firstReport: () => void = () => undefined;
  const reported = new Promise<void>((resolve) => (firstReport = resolve));

  const check = async (): Promise<void> => {
    const run = ++latestCheck;
    checking = true;
    heardSinceCheck = false;
    const state = await checkExtension(root, bridge, () => heardSinceCheck);
    // Only the latest check speaks: an earlier one may have said hello to no one.
    if (run !== latestCheck) return;
    checking = false;
    current = state;
    onChange(state);
    firstReport();
    if (state.kind === 'unresponsive') askAgainLater(run);
    else unansweredInRow = 0;
  };

  const askAgainLater = (run: number): void => {
    const wait_ms = UNRESPONSIVE_RETRY_MS[Math.min(unansweredInRow, UNRESPONSIVE_RETRY_MS.length - 1)]!;
    unansweredInRow += 1;
    // A check started meanwhile (a presence notice) makes this one moot.
    setTimeout(() => {
      if (run === latestCheck && !checking) void check();
    }, wait_ms);
  };

  bridge.onPresence((presence) => {
    heardSinceCheck = true;
    const found = current.kind === 'present' || current.kind === 'outdated';
    // 'arrived': whatever hello went out before may have reached no one. A late notice of a
    // hello: the check that sent it has already given up.
    if (presence === 'arrived' ? !found : !checking && current.kind === 'absent') void check();
  });
  root.setAttribute(ASKS_ATTRIBUTE, '1');
  void check();
  return reported;
}
