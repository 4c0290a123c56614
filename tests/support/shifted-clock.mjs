// Preloaded into every Node process of `npm run test:at` (through NODE_OPTIONS, so the platforms, simulators and
// test workers a run starts all get it): moves the wall clock (Date) by CCP_CLOCK_SHIFT_MS and lets it run on.
// Timers and performance.now() stay on the monotonic clock, as they would if the machine's clock were set.
const shift = Number(process.env.CCP_CLOCK_SHIFT_MS ?? 0);
if (Number.isFinite(shift) && shift !== 0) {
  const RealDate = globalThis.Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shift;
    }
    // Dates made by Node itself (file times...) come from the real constructor; they are still Dates.
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  // `Date()` called without `new` gives the current time as a string, as the real one does.
  globalThis.Date = new Proxy(ShiftedDate, { apply: () => new ShiftedDate().toString() });
}
