// Test support: waiting for a periodic timer to have run, instead of sleeping for "long enough".
// Node fires the timers of one duration in the order they fall due, and an interval that fired
// is due again only after the others of its duration that were due: so once an interval of
// `period_ms` started now has fired `turns` times, every interval of that period started earlier
// (a server's sweep, say) has fired at least `turns - 1` times since now — however slowly the
// machine ran. A test that must show a sweep did not do something waits for this, then looks.

export function intervalTurns(period_ms: number, turns: number): Promise<void> {
  return new Promise((resolve) => {
    let fired = 0;
    const timer = setInterval(() => {
      if (++fired < turns) return;
      clearInterval(timer);
      resolve();
    }, period_ms);
  });
}
