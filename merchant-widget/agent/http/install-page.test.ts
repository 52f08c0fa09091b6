import { describe, expect, it } from 'vitest';
import { installPageHtml } from './install-page';

describe('installPageHtml', () => {
  it('names the shop, escaped, and says how to add Opentab to Chrome and Firefox', () => {
    const html = installPageHtml('Bits & <b>"Bytes"</b>');
    expect(html).toContain('<title>Pay Bits &amp; &lt;b&gt;&quot;Bytes&quot;&lt;/b&gt; with Opentab</title>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('chrome://extensions');
    expect(html).toContain('about:debugging#/runtime/this-firefox');
  });
});
