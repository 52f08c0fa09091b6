// The webextension APIs behind the agent's ports (background/ports.ts).

import type Browser from 'webextension-polyfill';
import { systemClock } from '@opentab/protocol';
import type { AgentPorts, AlarmName } from '../ports';
import type { SessionArea } from '../storage/session-area';

const BADGE_COLOUR = '#2563eb';
const CONFIRM_WINDOW = { width: 440, height: 620 };

export function browserPorts(browser: Browser.Browser): AgentPorts {
  return {
    clock: systemClock,
    alarms: {
      schedule: async (name: AlarmName, at_ms: number) => {
        await browser.alarms.create(name, { when: at_ms });
      },
      cancel: async (name: AlarmName) => {
        await browser.alarms.clear(name);
      },
    },
    badge: {
      show: async (tabId, text) => {
        await browser.action.setBadgeText({ tabId, text });
        if (text) await browser.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOUR });
      },
    },
    windows: {
      openPopup: async (path) => {
        const created = await browser.windows.create({
          type: 'popup',
          url: browser.runtime.getURL(path),
          ...CONFIRM_WINDOW,
        });
        return created.id ?? null;
      },
      close: async (windowId) => {
        await browser.windows.remove(windowId);
      },
      openOptionsPage: () => browser.runtime.openOptionsPage(),
    },
    fetch: (input, init) => fetch(input, init),
  };
}

/** storage.session: memory only, and (by default) out of content scripts' reach. */
export function browserSessionArea(browser: Browser.Browser): SessionArea {
  const area = browser.storage.session;
  return {
    get: async (key) => {
      const value = (await area.get(key))[key];
      return typeof value === 'string' ? value : undefined;
    },
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}
