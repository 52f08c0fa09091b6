import { describe, expect, it } from 'vitest';
import { ScriptedWindows } from '../testing/test-ports';
import { UNLOCK_PAGE, UnlockPrompt } from './unlock-prompt';

const settled = (promise: Promise<void>) =>
  promise.then(
    () => 'unlocked',
    (error: Error) => error.message,
  );

describe('UnlockPrompt', () => {
  it('opens one window for every waiting payment, lets them all go on once unlocked, and closes it', async () => {
    const windows = new ScriptedWindows();
    const prompt = new UnlockPrompt(windows);
    const first = settled(prompt.untilUnlocked());
    const second = settled(prompt.untilUnlocked());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(windows.opened).toEqual([UNLOCK_PAGE]);
    prompt.unlocked();
    expect(await Promise.all([first, second])).toEqual(['unlocked', 'unlocked']);
    expect(windows.closed).toEqual([1]);
  });

  it('refuses the waiting payments when its window is closed, or when nobody unlocks in time', async () => {
    const windows = new ScriptedWindows();
    const prompt = new UnlockPrompt(windows, 50);
    const closed = settled(prompt.untilUnlocked());
    await new Promise((resolve) => setTimeout(resolve, 0));
    prompt.windowClosed(2); // another window: nothing happens
    prompt.windowClosed(1);
    expect(await closed).toMatch(/stayed locked/);
    const unanswered = settled(prompt.untilUnlocked());
    expect(await unanswered).toMatch(/stayed locked/);
    expect(windows.opened).toEqual([UNLOCK_PAGE, UNLOCK_PAGE]);
  });
});
