// The compiler's half of these checks runs in `npm run typecheck`: each @ts-expect-error below
// fails the type check the day allOf stops refusing that list.

import { describe, expect, it } from 'vitest';
import { allOf } from './all-of';

type Colour = 'red' | 'green' | 'blue';

describe('allOf', () => {
  it('returns the list of every member as given', () => {
    expect(allOf<Colour>()(['red', 'green', 'blue'])).toEqual(['red', 'green', 'blue']);
  });

  it('refuses a list that leaves a member out or names a stranger, at compile time', () => {
    // @ts-expect-error 'blue' is missing
    const missing = allOf<Colour>()(['red', 'green']);
    // @ts-expect-error 'purple' is not a Colour
    const stranger = allOf<Colour>()(['red', 'green', 'blue', 'purple']);
    expect([missing.length, stranger.length]).toEqual([2, 4]);
  });
});
