import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '@opentab/protocol';
import type { ConfirmationView } from '../../messaging/views';
import { ScriptedWindows } from '../testing/test-ports';
import { ConfirmationBroker } from './confirmation-broker';

const details: Omit<ConfirmationView, 'requestId'> = {
  merchant: { merchantId: 'news', operatorId: 'op-eur' },
  merchantDisplayName: 'Daily News',
  verifiedOrigin: 'https://news.example',
  item: {
    itemId: 'article-1',
    title: 'Rain at last',
    price: { currency: 'EUR', value: '0.08' },
    priceCustomer: { currency: 'SEK', value: '0.92' },
  },
  replacing: null,
  minimumDeposit: { currency: 'SEK', value: '0.92' },
  maximumDeposit: { currency: 'SEK', value: '100.00' },
  depositCustomer: { currency: 'SEK', value: '20.00' },
  depositMerchant: { currency: 'EUR', value: '1.74' },
  rate: '1 EUR = 11.4475 SEK',
  rateSource: { publisher: 'ecb', publishedOn: '2026-05-29', sample: false },
  timeout_s: 3600,
  suggestedAllowance: { currency: 'SEK', value: '20.00' },
};

const noQuotes = () => {
  throw new Error('no deposit is quoted here');
};

const requestIdOf = (path: string) => new URL(path, 'ext://x/').searchParams.get('request')!;

describe('ConfirmationBroker', () => {
  it('opens the confirm page for the question and answers with the customer decision', async () => {
    const windows = new ScriptedWindows();
    const broker = new ConfirmationBroker(windows, nobleCrypto);
    windows.answer = (requestId) => {
      expect(broker.view(requestId)).toMatchObject({ merchantDisplayName: 'Daily News', requestId });
      broker.decide(requestId, { kind: 'approve' });
    };
    await expect(broker.ask(details, noQuotes)).resolves.toEqual({ kind: 'approve' });
    expect(windows.opened[0]).toMatch(/^confirm\/confirm\.html\?request=[0-9a-f]{32}$/);
    expect(windows.closed).toEqual([1]);
  });

  it('declines when the window is closed, when nobody answers, and answers only once', async () => {
    const windows = new ScriptedWindows();
    const broker = new ConfirmationBroker(windows, nobleCrypto, 50);
    const closedByCustomer = broker.ask(details, noQuotes);
    await new Promise((resolve) => setTimeout(resolve, 0));
    broker.windowClosed(1);
    await expect(closedByCustomer).resolves.toEqual({ kind: 'decline' });
    const unanswered = broker.ask(details, noQuotes);
    await expect(unanswered).resolves.toEqual({ kind: 'decline' });
    expect(broker.decide(requestIdOf(windows.opened[1]!), { kind: 'approve' })).toBe(false);
  });
});
