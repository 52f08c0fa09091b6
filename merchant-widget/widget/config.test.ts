import { describe, expect, it } from 'vitest';
import { readWidgetConfig } from './config';

// Where the widget looks for its agent and where it sends customers without the extension.

const PAGE = 'https://shop.example/articles/42';

/** Just enough of an Element for readWidgetConfig, which only reads attributes. */
function scriptTag(attributes: Record<string, string>): Element {
  return { getAttribute: (name: string) => attributes[name] ?? null } as unknown as Element;
}

describe('readWidgetConfig', () => {
  it('reads data-agent, with or without a trailing slash, relative to the page', () => {
    for (const agent of ['/opentab', '/opentab/']) {
      expect(readWidgetConfig(scriptTag({ src: '/static/widget.js', 'data-agent': agent }), PAGE)).toEqual({
        infoUrl: 'https://shop.example/opentab/info',
        installUrl: 'https://shop.example/opentab/install',
      });
    }
  });

  it('accepts an agent on another origin', () => {
    const config = readWidgetConfig(scriptTag({ 'data-agent': 'https://pay.shop.example/agent' }), PAGE);
    expect(config.infoUrl).toBe('https://pay.shop.example/agent/info');
  });

  it('defaults the agent to the directory the widget is served from', () => {
    const config = readWidgetConfig(scriptTag({ src: 'https://shop.example/opentab/widget.js' }), PAGE);
    expect(config.infoUrl).toBe('https://shop.example/opentab/info');
  });

  it('falls back to /opentab/ when it cannot see its own tag', () => {
    expect(readWidgetConfig(null, PAGE).infoUrl).toBe('https://shop.example/opentab/info');
  });

  it('uses data-install-url for http(s) links only', () => {
    const custom = readWidgetConfig(scriptTag({ 'data-agent': '/opentab', 'data-install-url': '/get-opentab' }), PAGE);
    expect(custom.installUrl).toBe('https://shop.example/get-opentab');
    const script = readWidgetConfig(
      scriptTag({ 'data-agent': '/opentab', 'data-install-url': 'javascript:alert(1)' }),
      PAGE,
    );
    expect(script.installUrl).toBe('https://shop.example/opentab/install');
  });
});
