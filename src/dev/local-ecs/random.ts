/** A source of uniform numbers in [0, 1), like Math.random. Fault rates draw from it. */
export type RandomSource = () => number;

/**
 * A small deterministic generator (mulberry32), so a test or a config file can seed fault rates and
 * get the same sequence of injected faults on every run.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
