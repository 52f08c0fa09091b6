import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWidgetFixture, type OpenedPage, type WidgetFixture } from '@opentab/test-kit/widget/browser';
import { EXPECTED_SEK, MERCHANT_INFO } from '@opentab/test-kit/widget';
import type { PageName } from '@opentab/test-kit/widget';

// What a customer sees: the widget in real Chromium, on merchant pages served with
// Content-Security-Policy: script-src 'self'; style-src 'self'. Every test ends by checking that
// the page reported no CSP violation and no console error.

let fixture: WidgetFixture;
let opened: OpenedPage[] = [];
let allowedProblems: RegExp[] = [];

beforeAll(async () => {
  fixture = await startWidgetFixture();
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

afterEach(async () => {
  const pages = opened;
  const allowed = allowedProblems;
  opened = [];
  allowedProblems = [];
  try {
    for (const page of pages) {
      const problems = (await page.problems()).filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
      expect(problems).toEqual([]);
    }
  } finally {
    await Promise.all(pages.map((page) => page.page.close()));
  }
});

async function open(name: PageName): Promise<OpenedPage> {
  const page = await fixture.open(name);
  opened.push(page);
  await page.page.evaluate(() => window.Opentab?.ready.catch(() => undefined));
  return page;
}

const priceOf = (itemId: string) => MERCHANT_INFO.catalogue.find((item) => item.itemId === itemId)!.price;

describe('widget rendering under a strict CSP', () => {
  it('renders one widget button for every declared item', async () => {
    const shop = await open('shop');
    for (const row of ['#row-42', '#row-43', '#row-7', '#row-ghost']) {
      await expect.poll(() => shop.widgetIn(row).button.count()).toBe(1);
    }
    // Titles: the element's own text where it has some, else the catalogue's title.
    expect(await shop.widgetIn('#row-42').title.textContent()).toBe('Read the long read');
    expect(await shop.widgetIn('#row-43').title.textContent()).toBe('Morning briefing');
    expect(await shop.widgetIn('#row-7').title.textContent()).toBe('Listen now');
    // The page's own <button> stays in the document (unrendered), so its id and listeners keep working.
    expect(await shop.page.locator('#buy-42').count()).toBe(1);
    expect(await shop.page.locator('#buy-42').isVisible()).toBe(false);
  });

  it('shows EUR prices from /info and ignores the price written in the markup', async () => {
    const shop = await open('shop');
    for (const [row, itemId] of [
      ['#row-42', 'article-42'],
      ['#row-43', 'article-43'],
      ['#row-7', 'podcast-7'],
    ] as const) {
      await expect.poll(() => shop.widgetIn(row).price.textContent()).toBe(`${priceOf(itemId).value}\u00a0EUR`);
    }
    // The markup claims 9.99 USD for article-42.
    expect(await shop.page.locator('#buy-42').getAttribute('data-price')).toBe('9.99');
    const widgetText = await shop.widgetIn('#row-42').button.innerText();
    expect(widgetText).not.toMatch(/9\.99|USD/);
  });

  it('shows the price converted by the extension into the customer currency', async () => {
    const shop = await open('shop');
    for (const [row, itemId] of [
      ['#row-42', 'article-42'],
      ['#row-43', 'article-43'],
      ['#row-7', 'podcast-7'],
    ] as const) {
      await expect
        .poll(() => shop.widgetIn(row).converted.textContent())
        .toBe(`≈\u00a0${EXPECTED_SEK[itemId]}\u00a0SEK`);
      // Under it, whose rate of which day, as the extension said.
      expect(await shop.widgetIn(row).note.innerText()).toBe('ECB rate of 28 Jun 2024');
    }
    // One convert call for the whole page, with the catalogue prices of the items on it only.
    const converts = await shop.bridgeRequests('convert');
    expect(converts).toEqual([
      expect.objectContaining({
        call: 'convert',
        params: { prices: [priceOf('article-42'), priceOf('article-43'), priceOf('podcast-7')] },
      }),
    ]);
  });

  it('wraps the price and its conversion onto the next line together in a narrow column', async () => {
    const shop = await open('shop');
    const widget = shop.widgetIn('#row-42');
    await expect.poll(() => widget.converted.textContent()).toBe(`≈\u00a0${EXPECTED_SEK['article-42']}\u00a0SEK`);
    // Through the CSSOM, which the page's style-src does not govern.
    await shop.page.locator('#row-42').evaluate((row) => {
      (row as HTMLElement).style.width = '180px';
    });
    const top = async (locator: typeof widget.price) => (await locator.boundingBox())!.y;
    expect(await top(widget.price)).toBeGreaterThan(await top(widget.title));
    expect(await top(widget.converted)).toBe(await top(widget.price));
  });

  it('never breaks an amount between its value and its currency, however narrow the column', async () => {
    const shop = await open('shop');
    const widget = shop.widgetIn('#row-42');
    await expect.poll(() => widget.converted.textContent()).toBe(`≈\u00a0${EXPECTED_SEK['article-42']}\u00a0SEK`);
    const height = async (locator: typeof widget.price) => (await locator.boundingBox())!.height;
    const oneLine = { price: await height(widget.price), converted: await height(widget.converted) };
    await shop.page.locator('#row-42').evaluate((row) => {
      (row as HTMLElement).style.width = '1px';
    });
    expect(await height(widget.price)).toBe(oneLine.price);
    expect(await height(widget.converted)).toBe(oneLine.converted);
  });

  it.each([
    ['expired-rates', /out of date/],
    ['missing-rates', /No exchange rates yet/],
  ] as const)('on %s shows no converted price and a note', async (name, note) => {
    const page = await open(name);
    const widget = page.widgetIn('#row-42');
    await expect.poll(() => widget.note.textContent()).toMatch(note);
    expect(await widget.converted.isVisible()).toBe(false);
    expect(await widget.price.textContent()).toBe('0.05\u00a0EUR');
    expect(await widget.button.getAttribute('aria-disabled')).toBe('false');
  });

  it('marks an item missing from the catalogue as not for sale', async () => {
    const shop = await open('shop');
    const ghost = shop.widgetIn('#row-ghost');
    await expect.poll(() => ghost.note.textContent()).toMatch(/not for sale/);
    expect(await ghost.button.getAttribute('aria-disabled')).toBe('true');
  });

  it('renders buttons the page adds after load, with prices and conversion', async () => {
    const shop = await open('shop');
    await shop.page.evaluate(() => {
      const row = document.createElement('p');
      row.id = 'row-late';
      row.innerHTML = '<button data-opentab-item="late-item">Bonus chapter</button>';
      document.body.append(row);
    });
    const late = shop.widgetIn('#row-late');
    await expect.poll(() => late.price.textContent()).toBe('1.20\u00a0EUR');
    await expect.poll(() => late.converted.textContent()).toBe(`≈\u00a0${EXPECTED_SEK['late-item']}\u00a0SEK`);
    expect(await late.title.textContent()).toBe('Bonus chapter');
    expect(await late.button.getAttribute('aria-disabled')).toBe('false');
  });

  it('styles the shadow root through an adopted stylesheet that the CSP allows', async () => {
    const shop = await open('shop');
    const button = shop.widgetIn('#row-42').button;
    await expect.poll(() => button.getAttribute('aria-disabled')).toBe('false');
    const style = await button.evaluate((element) => {
      const root = element.getRootNode() as ShadowRoot;
      const computed = getComputedStyle(element);
      return {
        adopted: root.adoptedStyleSheets.length,
        styleElements: root.querySelectorAll('style').length,
        radius: computed.borderTopLeftRadius,
        background: computed.backgroundColor,
      };
    });
    expect(style).toEqual({ adopted: 1, styleElements: 0, radius: '6px', background: 'rgb(26, 95, 180)' });
  });

  it('keeps page styles out of the widget and widget styles out of the page', async () => {
    const shop = await open('shop');
    const button = shop.widgetIn('#row-42').button;
    await expect.poll(() => button.getAttribute('aria-disabled')).toBe('false');
    // A page stylesheet that repaints every button and span, as careless site CSS does.
    await shop.page.addStyleTag({ url: '/test/page-style.css' });
    const colours = await button.evaluate((widgetButton) => {
      const pageButton = document.createElement('button');
      document.body.append(pageButton);
      const result = {
        widget: getComputedStyle(widgetButton).backgroundColor,
        page: getComputedStyle(pageButton).backgroundColor,
      };
      pageButton.remove();
      return result;
    });
    expect(colours).toEqual({ widget: 'rgb(26, 95, 180)', page: 'rgb(200, 0, 0)' });
  });

  it('adds no global but window.Opentab', async () => {
    const withWidget = await open('shop');
    const withoutWidget = await open('no-widget');
    const globalsOf = (page: OpenedPage) => page.page.evaluate(() => Object.getOwnPropertyNames(window));
    const before = new Set(await globalsOf(withoutWidget));
    expect((await globalsOf(withWidget)).filter((name) => !before.has(name))).toEqual(['Opentab']);
  });

  it('shows that prices are unavailable when the agent does not answer, with inert buttons', async () => {
    allowedProblems = [/status of 503/];
    const page = await open('broken-agent');
    const widget = page.widgetIn('#row-42');
    await expect.poll(() => widget.note.textContent()).toMatch(/Price unavailable/);
    expect(await widget.button.getAttribute('aria-disabled')).toBe('true');
    expect(await widget.price.isVisible()).toBe(false);
    await expect(
      page.page.evaluate(() =>
        window.Opentab!.ready.then(
          () => 'resolved',
          (error: Error) => error.name,
        ),
      ),
    ).resolves.toBe('OpentabError');
  });
});

describe('without the extension', () => {
  it('offers the configured install link and disables the buttons with an explanation', async () => {
    const page = await open('no-extension');
    const widget = page.widgetIn('#row-42');
    await expect.poll(() => widget.installLink.getAttribute('href')).toBe('https://opentab.example/get');
    expect(await widget.installLink.textContent()).toBe('Install Opentab to pay');
    expect(await widget.price.textContent()).toBe('0.05\u00a0EUR');
    expect(await widget.button.getAttribute('aria-disabled')).toBe('true');
    // Disabled by aria-disabled, not the disabled attribute, so it stays in the tab order.
    expect(await widget.button.evaluate((button) => (button as HTMLButtonElement).disabled)).toBe(false);
    const description = await widget.button.evaluate((button) => {
      const root = button.getRootNode() as ShadowRoot;
      return (button.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => root.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim();
    });
    expect(description).toBe('Install Opentab to pay');
    // It asked whether the extension is there (nothing marks a page), and nothing more.
    expect((await page.bridgeRequests()).map((request) => request.call)).toEqual(['hello']);
  });

  it('keeps the disabled buttons keyboard reachable, and activating one pays nothing', async () => {
    const page = await open('no-extension');
    const widget = page.widgetIn('#row-42');
    await expect.poll(() => widget.button.getAttribute('aria-disabled')).toBe('true');
    await page.page.keyboard.press('Tab');
    expect(
      await widget.button.evaluate((button) => (button.getRootNode() as ShadowRoot).activeElement === button),
    ).toBe(true);
    await page.page.keyboard.press('Enter');
    // force: Playwright otherwise waits for an aria-disabled button to become enabled.
    await widget.button.click({ force: true });
    expect(await page.events()).toEqual([]);
    expect(await widget.status.textContent()).toBe('');
  });

  it('defaults the install link to <agent>/install', async () => {
    const page = await open('no-extension-default-link');
    const link = page.widgetIn('#row-42').installLink;
    await expect.poll(() => link.getAttribute('href')).toBe(`${fixture.server.origin}/opentab/install`);
  });

  it('rejects Opentab.pay with not_installed', async () => {
    const page = await open('no-extension');
    const code = await page.page.evaluate(() =>
      window.Opentab!.pay('article-42').then(
        () => 'paid',
        (error: { code: string }) => error.code,
      ),
    );
    expect(code).toBe('not_installed');
  });
});

describe('an item bought on an earlier visit', () => {
  it('shows as bought when the page loads, with no click and no payment, and tells the page', async () => {
    const page = await open('bought-before');
    const widget = page.widgetIn('#row-42');
    await expect.poll(() => widget.price.textContent()).toBe('Bought ✓');
    expect(await widget.status.textContent()).toBe('Already bought: unlocked, nothing charged.');
    expect(await widget.status.isVisible()).toBe(true);
    expect(await widget.button.getAttribute('aria-disabled')).toBe('true');
    expect(await widget.converted.isVisible()).toBe(false);
    expect(await page.events()).toEqual([
      {
        type: 'opentab:owned',
        target: 'document',
        detail: {
          itemId: 'article-42',
          accessToken: 'fake-access-article-42-earlier',
          entitledUntil: '2030-01-01T00:00:00.000Z',
        },
      },
    ]);
    // Asked once, about the entitlements on the page only (podcast-7 is a consumable, the ghost is not sold).
    expect(await page.bridgeRequests('entitlements')).toEqual([
      expect.objectContaining({
        params: {
          merchantId: MERCHANT_INFO.merchantId,
          operatorId: MERCHANT_INFO.operatorId,
          itemIds: ['article-42', 'article-43'],
        },
      }),
    ]);
    expect(await page.bridgeRequests('pay')).toEqual([]);
    // The items not bought before still pay.
    expect(await page.widgetIn('#row-43').button.getAttribute('aria-disabled')).toBe('false');
    expect(await page.widgetIn('#row-43').price.textContent()).toBe('0.10\u00a0EUR');
  });
});

describe('the CSP check itself', () => {
  it('does report a violation on a page that breaks the policy', async () => {
    const control = await fixture.open('csp-control');
    await expect
      .poll(async () => (await control.problems()).some((problem) => problem.startsWith('csp: style-src')))
      .toBe(true);
    await control.page.close();
  });
});
