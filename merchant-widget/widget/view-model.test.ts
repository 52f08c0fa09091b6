import { describe, expect, it } from 'vitest';
import type { Receipt } from '@opentab/protocol';
import { INITIAL_STATE, withPayment, type ExtensionState, type WidgetState } from './state';
import { MERCHANT_INFO } from '@opentab/test-kit/widget';
import { describeItem, type ItemContext } from './view-model';

// The rules that decide what each button shows, one state at a time.

const ARTICLE: ItemContext = { itemId: 'article-42', ownTitle: '', installUrl: 'https://shop.example/opentab/install' };
const READY_EXTENSION: ExtensionState = { kind: 'present', walletState: 'ready' };

function loaded(extension: ExtensionState = READY_EXTENSION): WidgetState {
  const items = new Map(MERCHANT_INFO.catalogue.map((item) => [item.itemId, item]));
  return { ...INITIAL_STATE, catalogue: { kind: 'loaded', info: MERCHANT_INFO, items }, extension };
}

function converted(
  state: WidgetState,
  value: string | null,
  rateStatus: 'current' | 'expired' | 'missing' = 'current',
): WidgetState {
  const amount = value === null ? null : { currency: 'SEK', value };
  return { ...state, conversion: { rateStatus, byItem: new Map([['article-42', amount]]) } };
}

describe('describeItem', () => {
  it('is busy and inert while the catalogue or the extension is still being checked', () => {
    for (const state of [INITIAL_STATE, { ...loaded(), extension: { kind: 'checking' } } satisfies WidgetState]) {
      const view = describeItem(state, ARTICLE);
      expect(view).toMatchObject({
        busy: true,
        actionable: false,
        price: state === INITIAL_STATE ? null : '0.05\u00a0EUR',
      });
    }
  });

  it('prefers the page’s own text as the title, then the catalogue title, then the item id', () => {
    expect(describeItem(loaded(), { ...ARTICLE, ownTitle: 'Read it' }).title).toBe('Read it');
    expect(describeItem(loaded(), ARTICLE).title).toBe('The long read');
    expect(describeItem(INITIAL_STATE, ARTICLE).title).toBe('article-42');
  });

  it('shows the catalogue price and the conversion, each unbroken by a no-break space, and can pay', () => {
    expect(describeItem(converted(loaded(), '0.57'), ARTICLE)).toMatchObject({
      price: '0.05\u00a0EUR',
      convertedPrice: '≈\u00a00.57\u00a0SEK',
      note: null,
      actionable: true,
    });
  });

  it('says under a converted price whose rate of which day made it, as the extension tells', () => {
    const withSource = (rateSource: WidgetState['conversion']['rateSource']): WidgetState => {
      const state = converted(loaded(), '0.57');
      return { ...state, conversion: { ...state.conversion, rateSource } };
    };
    expect(describeItem(withSource({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false }), ARTICLE).note).toBe(
      'ECB rate of 28 Jun 2024',
    );
    expect(describeItem(withSource({ publisher: 'ecb', publishedOn: '2024-06-28', sample: true }), ARTICLE).note).toBe(
      'Sample ECB rate from 28 Jun 2024',
    );
    // A table that does not say: said so. An extension that never says: nothing.
    expect(describeItem(withSource(null), ARTICLE).note).toBe('Rate of unstated date');
    expect(describeItem(withSource(undefined), ARTICLE).note).toBeNull();
    // No converted price, no rate to name.
    const expired = converted(loaded(), null, 'expired');
    expect(describeItem({ ...expired, conversion: { ...expired.conversion, rateSource: null } }, ARTICLE).note).toMatch(
      /out of date/,
    );
  });

  it('shows no conversion into the merchant’s own currency', () => {
    const state: WidgetState = {
      ...loaded(),
      conversion: { rateStatus: 'current', byItem: new Map([['article-42', { currency: 'EUR', value: '0.05' }]]) },
    };
    expect(describeItem(state, ARTICLE).convertedPrice).toBeNull();
  });

  it.each([
    ['expired', /out of date/],
    ['missing', /No exchange rates/],
  ] as const)('with %s rates shows no conversion and a note, but still pays', (rateStatus, note) => {
    const view = describeItem(converted(loaded(), null, rateStatus), ARTICLE);
    expect(view.convertedPrice).toBeNull();
    expect(view.note).toMatch(note);
    expect(view.actionable).toBe(true);
  });

  it.each(['uninitialised', 'unenrolled'] as const)(
    'with a wallet %s asks to finish setting up, not about the rates it cannot have yet',
    (walletState) => {
      const view = describeItem(converted(loaded({ kind: 'present', walletState }), null, 'missing'), ARTICLE);
      expect(view.note).toBe('Finish setting up Opentab to pay.');
      expect(view.convertedPrice).toBeNull();
    },
  );

  it('without the extension offers the install link and cannot pay', () => {
    expect(describeItem(loaded({ kind: 'absent' }), ARTICLE)).toMatchObject({
      price: '0.05\u00a0EUR',
      note: 'Install Opentab to pay',
      installUrl: ARTICLE.installUrl,
      actionable: false,
    });
  });

  it('with an unresponsive extension explains and cannot pay', () => {
    const view = describeItem(loaded({ kind: 'unresponsive' }), ARTICLE);
    expect(view).toMatchObject({ installUrl: null, actionable: false });
    expect(view.note).toMatch(/not answering/);
  });

  it('marks items the catalogue does not sell, whatever the markup says', () => {
    expect(describeItem(loaded(), { ...ARTICLE, itemId: 'nope', ownTitle: 'Buy for 1.00 EUR' })).toMatchObject({
      price: null,
      actionable: false,
      note: 'This item is not for sale here.',
    });
  });

  it('goes busy, then paid, or shows the failure and allows a retry', () => {
    const busy = describeItem(withPayment(loaded(), 'article-42', { kind: 'busy' }), ARTICLE);
    expect(busy).toMatchObject({ busy: true, actionable: false, status: 'Paying…' });

    const receipt = {} as Receipt;
    const paid = describeItem(withPayment(loaded(), 'article-42', { kind: 'paid', receipt }), ARTICLE);
    // The button says "Paid ✓"; the status repeats it to screen readers only, not on screen.
    expect(paid).toMatchObject({ settled: 'paid', actionable: false, status: 'Paid ✓', statusStyle: 'unseen' });

    const failed = describeItem(
      withPayment(loaded(), 'article-42', { kind: 'failed', code: 'limit_reached', message: 'Over your daily cap.' }),
      ARTICLE,
    );
    expect(failed).toMatchObject({ actionable: true, status: 'Over your daily cap.', statusStyle: 'error' });
  });

  it('shows a payment the customer declined as a plain notice, not an error, and allows another try', () => {
    const declined = describeItem(
      withPayment(loaded(), 'article-42', {
        kind: 'failed',
        code: 'declined_by_customer',
        message: 'You declined to open a tab at this merchant.',
      }),
      ARTICLE,
    );
    expect(declined).toMatchObject({
      actionable: true,
      settled: null,
      status: 'You declined to open a tab at this merchant.',
      statusStyle: 'plain',
    });
  });

  it('shows an item bought before as bought, saying that nothing was charged, and does not offer to pay again', () => {
    const entitlement = { itemId: 'article-42', accessToken: 'token', entitledUntil: '2030-01-01T00:00:00.000Z' };
    const owned = describeItem(
      withPayment(converted(loaded(), '0.57'), 'article-42', { kind: 'owned', entitlement }),
      ARTICLE,
    );
    expect(owned).toMatchObject({
      settled: 'owned',
      actionable: false,
      busy: false,
      status: 'Already bought: unlocked, nothing charged.',
      statusStyle: 'plain',
    });
  });

  it('shows a payment the shop has not answered as pending, plainly, not as a failure, and a click continues it', () => {
    const pending = describeItem(withPayment(loaded(), 'article-42', { kind: 'pending' }), ARTICLE);
    expect(pending).toMatchObject({
      actionable: true,
      busy: false,
      settled: null,
      status: "Payment pending — we'll finish it when the shop answers.",
      statusStyle: 'plain',
    });
  });

  it('keeps another item’s payment out of this button', () => {
    const view = describeItem(withPayment(loaded(), 'podcast-7', { kind: 'busy' }), ARTICLE);
    expect(view).toMatchObject({ busy: false, actionable: true, status: '', statusStyle: 'plain' });
  });
});
