import { EmulatedClock, monotonicWallClock, realNowMs } from '../../src/emulator/clock';

describe('the emulator real clock', () => {
  test('follows the wall clock forward, jumps included, and never goes backwards', () => {
    let wall = 1_000;
    const now = monotonicWallClock(() => wall);
    const readings: number[] = [];
    for (const next of [1_000.7, 1_010, 6_010, 5_000, 6_000, 6_011]) {
      wall = next;
      readings.push(now());
    }
    // A 5 s step forward is followed at once; a step back holds until the wall clock passes the latest reading.
    expect(readings).toEqual([1_000, 1_010, 6_010, 6_010, 6_010, 6_011]);
  });

  test('keeps real time while a test fakes Date', () => {
    jest.useFakeTimers({
      now: Date.now() + 10 * 60 * 1000,
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick'],
    });
    try {
      expect(Math.abs(realNowMs() - (Date.now() - 10 * 60 * 1000))).toBeLessThan(1_000);
    } finally {
      jest.useRealTimers();
    }
  });

  test('the emulated clock runs timeScale times faster than its real clock and moves forward on advance', () => {
    let real = 0;
    const clock = new EmulatedClock(60, () => real);
    real = 1_000;
    clock.advance(30);
    expect(clock.now()).toBe(60_000 + 30_000);
  });
});
