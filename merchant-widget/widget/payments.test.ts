// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeCall, BridgeParams, BridgeResult } from '@opentab/protocol';
import type { Receipt } from '@opentab/protocol';
import type { BridgeClient } from './bridge-client';
import { OpentabError } from './errors';
import { BUSY_DELAY_MS, createPayments } from './payments';
import { TEXT } from './texts';
import { createStore, INITIAL_STATE, type PaymentState, type WidgetState } from './state';
import { createTabTracker } from './tab-tracker';
import { MERCHANT_INFO } from '@opentab/test-kit/widget';

// When the button shows that a payment is under way: not on the click (the request goes out
// first, untouched by rendering), only once the answer is late.

const ITEM = MERCHANT_INFO.catalogue[0]!;

function receiptFor(itemId: string): Receipt {
  return {
    payload: { merchantId: MERCHANT_INFO.merchantId, itemId, price: ITEM.price, tabId: 'tab_1' },
  } as unknown as Receipt;
}

/** A bridge whose pay answers wait for the test; it notes what the page showed when each request left. */
function scriptedBridge(paymentShownAtSend: () => PaymentState | undefined) {
  const shownAtSend: (PaymentState | undefined)[] = [];
  const answers: Array<{ resolve: (result: BridgeResult<'pay'>) => void; reject: (error: Error) => void }> = [];
  const bridge: BridgeClient = {
    call: <C extends BridgeCall>(_call: C, _params: BridgeParams<C>) => {
      shownAtSend.push(paymentShownAtSend());
      return new Promise<BridgeResult<C>>((resolve, reject) => answers.push({ resolve: resolve as never, reject }));
    },
    onPresence: () => undefined,
  };
  return { bridge, shownAtSend, answers };
}

function loadedState(): WidgetState {
  return {
    ...INITIAL_STATE,
    catalogue: {
      kind: 'loaded',
      info: MERCHANT_INFO,
      items: new Map(MERCHANT_INFO.catalogue.map((item) => [item.itemId, item])),
    },
    extension: { kind: 'present', walletState: 'ready' },
  };
}

function setup() {
  const store = createStore(loadedState());
  const shown: (PaymentState | undefined)[] = [];
  store.subscribe((state) => shown.push(state.payments.get(ITEM.itemId)));
  const { bridge, shownAtSend, answers } = scriptedBridge(() => store.get().payments.get(ITEM.itemId));
  const payments = createPayments({ bridge, store, tabs: createTabTracker(), ready: Promise.resolve() });
  return { store, shown, shownAtSend, answers, payments };
}

/** Lets the payment reach the bridge (it awaits `ready` first). */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the busy state', () => {
  it('is not shown on the click: the request leaves with the page unchanged', async () => {
    const { shownAtSend, shown, answers, payments } = setup();
    const paying = payments.pay(ITEM.itemId, null);
    await settle();
    expect(shownAtSend).toEqual([undefined]);
    expect(shown).toEqual([]);
    answers[0]!.resolve({ kind: 'paid', receipt: receiptFor(ITEM.itemId) });
    await paying;
  });

  it('never appears when the answer comes within the delay: the price turns straight into "paid"', async () => {
    const { shown, answers, payments } = setup();
    const paying = payments.pay(ITEM.itemId, null);
    await settle();
    await vi.advanceTimersByTimeAsync(BUSY_DELAY_MS - 1);
    answers[0]!.resolve({ kind: 'paid', receipt: receiptFor(ITEM.itemId) });
    await paying;
    await vi.advanceTimersByTimeAsync(BUSY_DELAY_MS);
    expect(shown.map((payment) => payment?.kind)).toEqual(['paid']);
  });

  it('appears once the answer is late (a confirmation window, a sleeping extension), then gives way to the result', async () => {
    const { shown, answers, payments } = setup();
    const paying = payments.pay(ITEM.itemId, null);
    await settle();
    await vi.advanceTimersByTimeAsync(BUSY_DELAY_MS);
    expect(shown.map((payment) => payment?.kind)).toEqual(['busy']);
    answers[0]!.resolve({ kind: 'paid', receipt: receiptFor(ITEM.itemId) });
    await paying;
    expect(shown.map((payment) => payment?.kind)).toEqual(['busy', 'paid']);
  });

  it('does not come back after a quick failure', async () => {
    const { shown, answers, payments } = setup();
    const paying = payments.pay(ITEM.itemId, null).catch((error: unknown) => error);
    await settle();
    answers[0]!.reject(new OpentabError('limit_reached', 'Limit reached.'));
    expect(await paying).toBeInstanceOf(OpentabError);
    await vi.advanceTimersByTimeAsync(BUSY_DELAY_MS * 2);
    expect(shown.map((payment) => payment?.kind)).toEqual(['failed']);
  });

  it('keeps the code of a failure, so that a payment the customer declined can be told from an error', async () => {
    const { shown, answers, payments } = setup();
    const paying = payments.pay(ITEM.itemId, null).catch((error: unknown) => error);
    await settle();
    answers[0]!.reject(new OpentabError('declined_by_customer', 'You declined.'));
    expect(await paying).toMatchObject({ code: 'declined_by_customer' });
    expect(shown).toEqual([{ kind: 'failed', code: 'declined_by_customer', message: 'You declined.' }]);
  });

  it('a second click before it shows joins the first payment instead of paying twice', async () => {
    const { answers, payments } = setup();
    const first = payments.pay(ITEM.itemId, null);
    const second = payments.pay(ITEM.itemId, null);
    await settle();
    expect(answers).toHaveLength(1);
    answers[0]!.resolve({ kind: 'paid', receipt: receiptFor(ITEM.itemId) });
    expect(await second).toBe(await first);
  });
});

describe('the paid outcome', () => {
  it('reaches the page before the buttons are re-rendered', async () => {
    const { store, answers, payments } = setup();
    const order: string[] = [];
    store.subscribe((state) => order.push(`rendered ${state.payments.get(ITEM.itemId)?.kind}`));
    document.addEventListener(
      'opentab:paid',
      () => order.push(`paid heard, button ${store.get().payments.get(ITEM.itemId)?.kind ?? 'as before'}`),
      { once: true },
    );
    const paying = payments.pay(ITEM.itemId, null);
    await settle();
    answers[0]!.resolve({ kind: 'paid', receipt: receiptFor(ITEM.itemId) });
    await paying;
    expect(order).toEqual(['paid heard, button as before', 'rendered paid']);
  });
});

describe('a payment the shop has not answered yet', () => {
  const POLL_MS = 1_000;

  /** pay is answered payment_pending; each paymentStatus takes the next scripted answer. */
  function pendingSetup(statuses: BridgeResult<'paymentStatus'>[]) {
    const store = createStore(loadedState());
    const calls: BridgeCall[] = [];
    const bridge: BridgeClient = {
      call: async <C extends BridgeCall>(call: C) => {
        calls.push(call);
        if (call === 'pay')
          throw new OpentabError('payment_pending', 'Payment pending: the shop has not answered yet.');
        return statuses.shift() as BridgeResult<C>;
      },
      onPresence: () => undefined,
    };
    const events: Array<{ type: string; detail: unknown }> = [];
    for (const type of ['opentab:paid', 'opentab:error', 'opentab:pending']) {
      document.addEventListener(type, (event) => events.push({ type, detail: (event as CustomEvent).detail }));
    }
    const payments = createPayments({
      bridge,
      store,
      tabs: createTabTracker(),
      ready: Promise.resolve(),
      pendingPollDelay_ms: () => POLL_MS,
    });
    const payment = () => store.get().payments.get(ITEM.itemId);
    return { store, calls, events, payments, payment };
  }

  it('is shown as pending, not as an error, and unlocks the page once the extension has its receipt', async () => {
    const receipt = receiptFor(ITEM.itemId);
    const { calls, events, payments, payment } = pendingSetup([{ status: 'pending' }, { status: 'paid', receipt }]);
    const paying = payments.pay(ITEM.itemId, null).catch((error: unknown) => error);
    await settle();
    expect(await paying).toMatchObject({ code: 'payment_pending' });
    expect(payment()).toEqual({ kind: 'pending' });
    expect(events).toEqual([{ type: 'opentab:pending', detail: { itemId: ITEM.itemId } }]);

    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(calls).toEqual(['pay', 'paymentStatus']);
    expect(payment()).toEqual({ kind: 'pending' });
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(payment()).toEqual({ kind: 'paid', receipt });
    expect(events.map((event) => event.type)).toEqual(['opentab:pending', 'opentab:paid']);
    await vi.advanceTimersByTimeAsync(POLL_MS * 5);
    expect(calls).toEqual(['pay', 'paymentStatus', 'paymentStatus']);
  });

  it('fails when the shop refused it, as any payment that did not go through', async () => {
    const { events, payments, payment } = pendingSetup([{ status: 'none' }]);
    await payments.pay(ITEM.itemId, null).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(payment()).toEqual({ kind: 'failed', code: 'merchant_refused', message: TEXT.paymentFailed });
    expect(events.map((event) => event.type)).toEqual(['opentab:pending', 'opentab:error']);
  });

  it('is asked after once however often it comes back pending, and not at all once a click has paid it', async () => {
    const { store, calls, payments } = pendingSetup([{ status: 'pending' }]);
    await payments.pay(ITEM.itemId, null).catch(() => undefined);
    await payments.pay(ITEM.itemId, null).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(calls).toEqual(['pay', 'pay', 'paymentStatus']);
    store.update((state) => ({
      ...state,
      payments: new Map([[ITEM.itemId, { kind: 'paid', receipt: receiptFor(ITEM.itemId) }]]),
    }));
    await vi.advanceTimersByTimeAsync(POLL_MS * 5);
    expect(calls).toEqual(['pay', 'pay', 'paymentStatus']);
  });
});

describe('a delivery (Opentab.buy)', () => {
  it('asks the extension to deliver, raises opentab:delivered and shows the item paid', async () => {
    const calls: string[] = [];
    const store = createStore(loadedState());
    const bridge: BridgeClient = {
      call: <C extends BridgeCall>(call: C, _params: BridgeParams<C>) => {
        calls.push(call);
        return Promise.resolve({
          kind: 'delivered',
          receipt: receiptFor(ITEM.itemId),
          fileName: 'book.txt',
        } as BridgeResult<C>);
      },
      onPresence: () => undefined,
    };
    const delivered: unknown[] = [];
    document.addEventListener('opentab:delivered', (event) => delivered.push((event as CustomEvent).detail), {
      once: true,
    });
    const payments = createPayments({ bridge, store, tabs: createTabTracker(), ready: Promise.resolve() });
    const buying = payments.buy(ITEM.itemId, null);
    await settle();
    expect(await buying).toMatchObject({ kind: 'delivered', fileName: 'book.txt' });
    expect(calls).toEqual(['deliver']);
    expect(delivered).toEqual([{ itemId: ITEM.itemId, receipt: receiptFor(ITEM.itemId), fileName: 'book.txt' }]);
    expect(store.get().payments.get(ITEM.itemId)?.kind).toBe('paid');
  });

  it('shows an aborted delivery as failed, charged nothing, and resolves with it', async () => {
    const store = createStore(loadedState());
    const bridge: BridgeClient = {
      call: <C extends BridgeCall>() => Promise.resolve({ kind: 'aborted', itemId: ITEM.itemId } as BridgeResult<C>),
      onPresence: () => undefined,
    };
    const errors: unknown[] = [];
    document.addEventListener('opentab:error', (event) => errors.push((event as CustomEvent).detail), { once: true });
    const payments = createPayments({ bridge, store, tabs: createTabTracker(), ready: Promise.resolve() });
    const buying = payments.buy(ITEM.itemId, null);
    await settle();
    expect(await buying).toEqual({ kind: 'aborted', itemId: ITEM.itemId });
    expect(store.get().payments.get(ITEM.itemId)).toMatchObject({ kind: 'failed', code: 'delivery_aborted' });
    expect(errors).toEqual([
      {
        itemId: ITEM.itemId,
        code: 'delivery_aborted',
        message: 'The shop could not deliver an intact file; nothing was charged.',
      },
    ]);
  });
});
