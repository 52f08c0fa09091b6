// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeCall, BridgeResult } from '@opentab/protocol';
import type { BridgeClient, Presence } from './bridge-client';
import { OpentabError } from './errors';
import { ASKS_ATTRIBUTE, PRESENCE_WAIT_MS, UNRESPONSIVE_RETRY_MS, watchExtension } from './extension-presence';
import type { ExtensionState } from './state';

// How the widget finds the extension, against a scripted bridge: every hello waits for the test
// to answer it, and the test posts the content script's presence notices.

const READY: BridgeResult<'hello'> = { protocolVersion: 4, walletState: 'ready' };

class ScriptedBridge implements BridgeClient {
  readonly hellos: Array<{ resolve: (hello: BridgeResult<'hello'>) => void; reject: (error: Error) => void }> = [];
  private readonly listeners: Array<(presence: Presence) => void> = [];

  call<C extends BridgeCall>(call: C): Promise<BridgeResult<C>> {
    if (call !== 'hello') throw new Error(`unexpected ${call}`);
    return new Promise((resolve, reject) => this.hellos.push({ resolve: resolve as never, reject }));
  }

  onPresence(listener: (presence: Presence) => void): void {
    this.listeners.push(listener);
  }

  notice(presence: Presence): void {
    for (const listener of this.listeners) listener(presence);
  }
}

let root: HTMLElement;
let bridge: ScriptedBridge;
let states: ExtensionState['kind'][];
let watched: Promise<void>;

beforeEach(() => {
  vi.useFakeTimers();
  root = document.createElement('html');
  bridge = new ScriptedBridge();
  states = [];
  watched = watchExtension(root, bridge, (state) => states.push(state.kind));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('finding the extension', () => {
  it('marks the page as asking, then says hello', () => {
    expect(root.getAttribute(ASKS_ATTRIBUTE)).toBe('1');
    expect(bridge.hellos).toHaveLength(1);
  });

  it('finds one that notices the hello and answers it', async () => {
    bridge.notice('hello-received');
    bridge.hellos[0]!.resolve(READY);
    await watched;
    expect(states).toEqual(['present']);
  });

  it('counts as absent an extension that sends no notice in time', async () => {
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS);
    await watched;
    expect(states).toEqual(['absent']);
  });

  it('turns absent into the answer when the notice comes late (a page too busy to hear it in time)', async () => {
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS);
    bridge.notice('hello-received');
    expect(bridge.hellos).toHaveLength(2);
    bridge.notice('hello-received');
    expect(bridge.hellos).toHaveLength(2);
    bridge.hellos[1]!.resolve(READY);
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual(['absent', 'present']);
  });

  it('waits past the notice wait for the answer of one that is starting (a suspended service worker)', async () => {
    bridge.notice('hello-received');
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS * 4);
    expect(states).toEqual([]);
    bridge.hellos[0]!.resolve(READY);
    await watched;
    expect(states).toEqual(['present']);
  });

  it('calls unresponsive one that noticed the hello and never answered it', async () => {
    bridge.notice('hello-received');
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS);
    bridge.hellos[0]!.reject(new OpentabError('timeout', 'no answer'));
    await watched;
    expect(states).toEqual(['unresponsive']);
  });

  it('asks an unresponsive one again, waiting longer each time, and turns present when it answers', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      bridge.notice('hello-received');
      bridge.hellos[attempt]!.reject(new OpentabError('timeout', 'no answer'));
      await vi.advanceTimersByTimeAsync(0);
      expect(bridge.hellos).toHaveLength(attempt + 1);
      // Not a moment before its wait is over.
      await vi.advanceTimersByTimeAsync(UNRESPONSIVE_RETRY_MS[attempt]! - 1);
      expect(bridge.hellos).toHaveLength(attempt + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(bridge.hellos).toHaveLength(attempt + 2);
    }
    bridge.hellos[3]!.resolve(READY);
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual(['unresponsive', 'unresponsive', 'unresponsive', 'present']);
    // Answered: no more hellos.
    await vi.advanceTimersByTimeAsync(UNRESPONSIVE_RETRY_MS.at(-1)! * 2);
    expect(bridge.hellos).toHaveLength(4);
  });

  it('finds one whose content script starts after the page asked, and asks again', async () => {
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS);
    expect(states).toEqual(['absent']);
    bridge.notice('arrived');
    expect(bridge.hellos).toHaveLength(2);
    bridge.notice('hello-received');
    expect(bridge.hellos).toHaveLength(2);
    bridge.hellos[1]!.resolve(READY);
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual(['absent', 'present']);
  });

  it('asks again when the content script arrives during the first check, and reports only the answer to the new hello', async () => {
    bridge.notice('arrived');
    bridge.notice('hello-received');
    bridge.hellos[1]!.resolve(READY);
    await watched;
    // The first hello went out before the content script listened; its timeout reports nothing.
    bridge.hellos[0]!.reject(new OpentabError('timeout', 'no answer'));
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS);
    expect(states).toEqual(['present']);
  });

  it('waits for the answer of an extension from before presence notices, which marked the page', async () => {
    root.setAttribute('data-opentab-bridge', '1');
    await vi.advanceTimersByTimeAsync(PRESENCE_WAIT_MS * 2);
    bridge.hellos[0]!.resolve({ protocolVersion: 3, walletState: 'locked' });
    await watched;
    expect(states).toEqual(['present']);
  });
});
