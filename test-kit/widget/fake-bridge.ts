// Stands in for the extension's content script in the widget's browser tests. Built as a classic
// script and served from the page's own origin (a CSP of script-src 'self' forbids inline code):
// it answers each bridge call as the real content script relays the background's answer, with a
// presence notice first for a hello (or, set to a version before 4, marks <html> as those did). Params are
// checked with the protocol's own schemas, so a widget that sends a malformed
// call gets invalid_request here just as it would from the extension, and every result is checked
// against its schema before it is sent, so the canned answers cannot drift from the wire format.
//
// Behaviour is set with attributes on this script's tag:
//   data-rate-status="current|expired|missing"   what convert reports (default current)
//   data-pay-error="<BridgeErrorCode>"           pay fails with that code
//   data-pay-held                                pay answers only once the test dispatches
//                                                PAY_RELEASE_EVENT on window (the customer confirms)
//   data-pay-pending="<n>"                       pay answers payment_pending (the shop did not answer); paymentStatus
//                                                then answers pending n - 1 times, then paid with the receipt
//   data-protocol-version="<n>"                  what hello reports (default: the current version);
//                                                below PAGE_REQUEST_EVENT_SINCE it hears posted requests only
//   data-owned="<itemId> <itemId>…"              entitlements the wallet holds already (bought on an
//                                                earlier visit); a paid entitlement is held from then on

import * as v from 'valibot';
import {
  BRIDGE_CALLS,
  BRIDGE_PROTOCOL_VERSION,
  EXTENSION_RESPONSE_EVENT,
  EXTENSION_TO_PAGE,
  LEGACY_PRESENCE_ATTRIBUTE,
  PAGE_REQUEST_EVENT,
  PAGE_REQUEST_EVENT_SINCE,
  PRESENCE_NOTICE_SINCE,
  PageRequest,
  RateStatus,
  BridgeErrorCode,
  type BridgeCall,
  type BridgeError,
  type BridgeParams,
  type BridgeResult,
  type Entitlement,
  type ExtensionPresence,
  type ExtensionResponse,
} from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import { moneyFromWire, moneyToWire } from '@opentab/protocol';
import { merchantToCustomer } from '@opentab/protocol';
import {
  FAKE_BRIDGE_TEXT,
  FAKE_DEPOSIT_EUR_MINOR,
  FAKE_RATE_SEK_PER_EUR,
  MERCHANT_INFO,
  PAY_RELEASE_EVENT,
} from './fixture-data';

const ownScript = document.currentScript;
const setting = (name: string): string | null => ownScript?.getAttribute(`data-${name}`) ?? null;

const rateStatus = v.parse(RateStatus, setting('rate-status') ?? 'current');
const payError = setting('pay-error') === null ? null : v.parse(BridgeErrorCode, setting('pay-error'));
const payHeld = ownScript?.hasAttribute('data-pay-held') ?? false;
const pendingAnswers = setting('pay-pending') === null ? null : Number(setting('pay-pending'));
const protocolVersion = Number(setting('protocol-version') ?? BRIDGE_PROTOCOL_VERSION);
const PRESENCE_NOTICE: ExtensionPresence = { channel: EXTENSION_TO_PAGE, presence: 'hello-received' };

/** A fixed expiry: nothing in the widget reads it but the page. */
const ENTITLED_UNTIL = '2030-01-01T00:00:00.000Z';
const held = new Map<string, Entitlement>(
  (setting('owned') ?? '')
    .split(' ')
    .filter((itemId) => itemId !== '')
    .map((itemId) => [itemId, { itemId, accessToken: `fake-access-${itemId}-earlier`, entitledUntil: ENTITLED_UNTIL }]),
);
const isEntitlement = (itemId: string) =>
  MERCHANT_INFO.catalogue.some((item) => item.itemId === itemId && item.kind === 'entitlement');

const RATE: LockedRate = {
  tableId: '0'.repeat(32),
  base: 'EUR',
  customer: { currency: 'SEK', perBase: FAKE_RATE_SEK_PER_EUR },
  merchant: { currency: 'EUR', perBase: '1' },
};

interface FakeTab {
  tabId: string;
  seq: number;
  spent_minor: bigint;
}
let openTab: FakeTab | null = null;

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );
}

function convert({ prices }: BridgeParams<'convert'>): BridgeResult<'convert'> {
  if (rateStatus !== 'current') {
    return {
      currency: rateStatus === 'missing' ? null : 'SEK',
      rateStatus,
      converted: prices.map(() => null),
      validUntil: null,
      rateSource: null,
    };
  }
  return {
    currency: 'SEK',
    rateStatus,
    converted: prices.map((price) =>
      price.currency === 'EUR'
        ? moneyToWire({ currency: 'SEK', minor: merchantToCustomer(moneyFromWire(price).minor, RATE) })
        : null,
    ),
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    rateSource: { publisher: 'ecb', publishedOn: '2024-06-28', sample: false },
  };
}

/** Payments answered payment_pending, by item id, with how many more times paymentStatus says pending. */
const pendingPayments = new Map<string, { params: BridgeParams<'pay'>; pendingFor: number }>();

function paymentStatus({ itemId }: BridgeParams<'paymentStatus'>): BridgeResult<'paymentStatus'> {
  const pending = pendingPayments.get(itemId);
  if (!pending) return { status: 'none' };
  if (pending.pendingFor-- > 0) return { status: 'pending' };
  pendingPayments.delete(itemId);
  const paid = pay(pending.params);
  return paid.kind === 'paid' ? { status: 'paid', receipt: paid.receipt } : { status: 'none' };
}

function pay({ merchantId, itemId, price }: BridgeParams<'pay'>): BridgeResult<'pay'> {
  const owned = held.get(itemId);
  if (owned) return { kind: 'owned', ...owned };
  const tab = (openTab ??= { tabId: `tab_${randomHex(12)}`, seq: 0, spent_minor: 0n });
  tab.seq += 1;
  tab.spent_minor += moneyFromWire(price).minor;
  const eur = (minor: bigint) => moneyToWire({ currency: 'EUR', minor });
  const accessToken = `fake-access-${itemId}-${tab.seq}`;
  if (isEntitlement(itemId)) held.set(itemId, { itemId, accessToken, entitledUntil: ENTITLED_UNTIL });
  return {
    kind: 'paid',
    receipt: {
      payload: {
        type: 'receipt',
        id: randomHex(16),
        iat: new Date().toISOString(),
        merchantId,
        tabId: tab.tabId,
        purchaseId: randomHex(16),
        seq: tab.seq,
        itemId,
        price,
        chainIndex: Number(tab.spent_minor),
        spent: eur(tab.spent_minor),
        remaining: eur(FAKE_DEPOSIT_EUR_MINOR - tab.spent_minor),
        accessToken,
        ...(isEntitlement(itemId) ? { entitledUntil: ENTITLED_UNTIL } : {}),
      },
      // Well-formed but not a real signature: nothing in the widget verifies it.
      kid: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      sig: 'A'.repeat(86),
    },
  };
}

const HANDLERS: { [C in BridgeCall]: (params: BridgeParams<C>) => BridgeResult<C> } = {
  hello: () => ({ protocolVersion, walletState: 'ready' }),
  convert,
  pay,
  paymentStatus,
  // The fake has no products: a delivery is paid like an item, and its file is named after it.
  deliver: (params) => {
    const paid = pay(params);
    return paid.kind === 'paid'
      ? { kind: 'delivered', receipt: paid.receipt, fileName: `${params.itemId}.bin` }
      : { kind: 'aborted', itemId: params.itemId };
  },
  tabStatus: () => ({
    open: openTab !== null,
    deposit: openTab ? moneyToWire({ currency: 'EUR', minor: FAKE_DEPOSIT_EUR_MINOR }) : null,
    spent: openTab ? moneyToWire({ currency: 'EUR', minor: openTab.spent_minor }) : null,
    remaining: openTab ? moneyToWire({ currency: 'EUR', minor: FAKE_DEPOSIT_EUR_MINOR - openTab.spent_minor }) : null,
    expiresAt: null,
  }),
  entitlements: ({ itemIds }) => ({
    entitlements: [...held.values()].filter((entitlement) => itemIds.includes(entitlement.itemId)),
  }),
  closeTab: () => {
    const closed = openTab !== null;
    openTab = null;
    return { closed };
  },
};

function answer<C extends BridgeCall>(
  call: C,
  rawParams: unknown,
): { ok: true; result: BridgeResult<C> } | { ok: false; error: BridgeError } {
  const params = v.safeParse(BRIDGE_CALLS[call].params, rawParams);
  if (!params.success) return { ok: false, error: { code: 'invalid_request', message: v.summarize(params.issues) } };
  if (call === 'pay' && payError)
    return { ok: false, error: { code: payError, message: FAKE_BRIDGE_TEXT.payErrorMessage } };
  if (call === 'pay' && pendingAnswers !== null) {
    const payParams = params.output as BridgeParams<'pay'>;
    if (!pendingPayments.has(payParams.itemId))
      pendingPayments.set(payParams.itemId, { params: payParams, pendingFor: pendingAnswers - 1 });
    return { ok: false, error: { code: 'payment_pending', message: FAKE_BRIDGE_TEXT.payErrorMessage } };
  }
  // One cast: TypeScript cannot correlate BRIDGE_CALLS[call]'s output with HANDLERS[call]'s input.
  const result = HANDLERS[call](params.output as BridgeParams<C>);
  v.parse(BRIDGE_CALLS[call].result, result);
  return { ok: true, result };
}

/** Answered the way the request came, as the real content script does. */
function reply(response: ExtensionResponse, via: 'message' | 'event'): void {
  if (via === 'event')
    window.dispatchEvent(new CustomEvent(EXTENSION_RESPONSE_EVENT, { detail: JSON.stringify(response) }));
  else window.postMessage(response, window.location.origin);
}

function receive(data: unknown, via: 'message' | 'event'): void {
  const request = v.safeParse(PageRequest, data);
  if (!request.success) return;
  const { requestId, call, params } = request.output;
  if (call === 'hello' && protocolVersion >= PRESENCE_NOTICE_SINCE)
    window.postMessage(PRESENCE_NOTICE, window.location.origin);
  const send = () => reply({ channel: EXTENSION_TO_PAGE, requestId, ...answer(call, params) }, via);
  if (call === 'pay' && payHeld) window.addEventListener(PAY_RELEASE_EVENT, send, { once: true });
  else setTimeout(send, 0);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.source !== window || event.origin !== window.location.origin) return;
  receive(event.data, 'message');
});

if (protocolVersion >= PAGE_REQUEST_EVENT_SINCE) {
  window.addEventListener(PAGE_REQUEST_EVENT, (event) => {
    const { detail } = event as CustomEvent<unknown>;
    if (typeof detail !== 'string') return;
    try {
      receive(JSON.parse(detail), 'event');
    } catch {
      // Not JSON: not ours, as the real content script treats it.
    }
  });
}

if (protocolVersion < PRESENCE_NOTICE_SINCE) document.documentElement.setAttribute(LEGACY_PRESENCE_ATTRIBUTE, '1');
