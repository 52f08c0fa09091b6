// What one button shows, derived from the widget state alone, so that every state the widget can
// reach has exactly one rendering and the rules can be read (and tested) without a DOM.

import { amountText, convertedAmountText } from './amount-text';
import type { WidgetState } from './state';
import { rateSourceText, TEXT } from './texts';

export interface ItemView {
  title: string;
  /** The merchant's price as /info states it; null when it is not known. */
  price: string | null;
  /** The extension's conversion into the customer's currency, when it has one. */
  convertedPrice: string | null;
  /** Why something is missing or disabled, or whose rate converted the price; the button's accessible description. */
  note: string | null;
  /** Set when the customer needs the extension: the note becomes a link here. */
  installUrl: string | null;
  /** Whether activating the button starts a payment; otherwise it stays focusable but inert. */
  actionable: boolean;
  busy: boolean;
  /** The customer has the item, paid now or bought before: the button says so in place of the price. */
  settled: 'paid' | 'owned' | null;
  /** Announced politely to screen readers when it changes. */
  status: string;
  /**
   * How the status shows: `plain` (progress, and a notice such as the customer's own decline),
   * `error`, or `unseen`: announced to screen readers but not shown, because the button says it.
   */
  statusStyle: StatusStyle;
}

export type StatusStyle = 'plain' | 'error' | 'unseen';

export interface ItemContext {
  itemId: string;
  /** The page's own text for the element, which wins over the catalogue title. */
  ownTitle: string;
  installUrl: string;
}

const EMPTY_STATUS = { status: '', statusStyle: 'plain' } as const;

function extensionNote(state: WidgetState, installUrl: string): Pick<ItemView, 'note' | 'installUrl'> | null {
  switch (state.extension.kind) {
    case 'absent':
      return { note: TEXT.installLink, installUrl };
    case 'unresponsive':
      return { note: TEXT.unresponsiveExtension, installUrl: null };
    case 'outdated':
      return { note: TEXT.outdatedExtension, installUrl };
    default:
      return null;
  }
}

function conversionNote(state: WidgetState): string | null {
  // A wallet not set up has no rates because it has no operator yet: say what to do about that first.
  const wallet = state.extension.kind === 'present' ? state.extension.walletState : null;
  if (wallet === 'uninitialised' || wallet === 'unenrolled') return TEXT.walletNotSetUp;
  const { rateStatus } = state.conversion;
  if (rateStatus === 'expired') return TEXT.ratesExpired;
  if (rateStatus === 'missing') return TEXT.ratesMissing;
  return null;
}

export function describeItem(state: WidgetState, { itemId, ownTitle, installUrl }: ItemContext): ItemView {
  const { catalogue } = state;
  const item = catalogue.kind === 'loaded' ? catalogue.items.get(itemId) : undefined;
  const base: ItemView = {
    title: ownTitle || item?.title || itemId,
    price: item ? amountText(item.price) : null,
    convertedPrice: null,
    note: null,
    installUrl: null,
    actionable: false,
    busy: false,
    settled: null,
    ...EMPTY_STATUS,
  };

  if (catalogue.kind === 'loading' || state.extension.kind === 'checking') {
    return { ...base, busy: true, status: TEXT.loading };
  }
  if (catalogue.kind === 'failed') return { ...base, note: TEXT.priceUnavailable };
  if (!item) return { ...base, note: TEXT.notForSale };

  const blocked = extensionNote(state, installUrl);
  if (blocked) return { ...base, ...blocked };

  const converted = state.conversion.byItem.get(itemId);
  // Same currency on both sides: the conversion would only repeat the price.
  const showConverted = converted && converted.currency !== item.price.currency;
  // A converted price says whose rate of which day made it (an extension that does not tell, says nothing).
  const { rateSource } = state.conversion;
  const rateNote = showConverted && rateSource !== undefined ? rateSourceText(rateSource) : null;
  const ready: ItemView = {
    ...base,
    convertedPrice: showConverted ? convertedAmountText(converted) : null,
    note: conversionNote(state) ?? rateNote,
    actionable: true,
  };

  const payment = state.payments.get(itemId);
  switch (payment?.kind) {
    case 'busy':
      return { ...ready, actionable: false, busy: true, status: TEXT.paying };
    case 'paid':
      // The button reads "Paid ✓"; a visible status would only repeat it.
      return { ...ready, actionable: false, settled: 'paid', status: TEXT.paid, statusStyle: 'unseen' };
    case 'owned':
      // Said under the button too: the customer clicked to pay and should see that nothing was charged.
      return { ...ready, actionable: false, settled: 'owned', status: TEXT.alreadyBought, statusStyle: 'plain' };
    case 'pending':
      // Neither paid nor failed: said plainly. A click continues the same payment, never a second one.
      return { ...ready, status: TEXT.paymentPending, statusStyle: 'plain' };
    case 'failed':
      // Declining (or closing the confirmation) was the customer's own choice: a notice, not an error.
      return {
        ...ready,
        status: payment.message,
        statusStyle: payment.code === 'declined_by_customer' ? 'plain' : 'error',
      };
    default:
      return ready;
  }
}
