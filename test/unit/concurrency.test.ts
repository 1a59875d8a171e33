import { chunk, concurrencyLimit } from '../../src/concurrency';

/** A promise the test settles by hand, so order is decided by the test, never by a clock. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** n jobs behind one limiter; each records its start and waits for the test to finish it. */
function jobs(limit: number, n: number) {
  const slot = concurrencyLimit(limit);
  const started: number[] = [];
  let active = 0;
  let maxActive = 0;
  const gates = Array.from({ length: n }, () => deferred<string>());
  const results = gates.map((gate, i) =>
    slot(async () => {
      started.push(i);
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        return await gate.promise;
      } finally {
        active -= 1;
      }
    }),
  );
  // Rejections are asserted where a test expects them; none may go unhandled meanwhile.
  const outcomes = results.map((p) => p.then((value) => ({ value }), (error: unknown) => ({ error })));
  return { started, gates, outcomes, maxActive: () => maxActive };
}

describe('concurrencyLimit', () => {
  it('starts at most n at once, the rest in the order they were given as slots free up', async () => {
    const { started, gates, maxActive } = jobs(2, 5);
    await settle();
    expect(started).toEqual([0, 1]);

    gates[1]!.resolve('b');
    await settle();
    expect(started).toEqual([0, 1, 2]);

    gates[0]!.resolve('a');
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);

    gates[3]!.resolve('d');
    gates[2]!.resolve('c');
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[4]!.resolve('e');
    await settle();
    expect(maxActive()).toBe(2);
  });

  it('gives each caller its own result, whatever order they finish in', async () => {
    const { gates, outcomes } = jobs(3, 4);
    for (const i of [2, 0, 3, 1]) {
      gates[i]!.resolve(`r${i}`);
      await settle();
    }
    expect(await Promise.all(outcomes)).toEqual([{ value: 'r0' }, { value: 'r1' }, { value: 'r2' }, { value: 'r3' }]);
  });

  it('with a limit of 1, runs strictly one after another', async () => {
    const { started, gates, maxActive } = jobs(1, 3);
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(started).toEqual(Array.from({ length: i + 1 }, (_, j) => j));
      gates[i]!.resolve(String(i));
    }
    await settle();
    expect(maxActive()).toBe(1);
  });

  it("passes a job's rejection to its caller only, and frees the slot for the next job", async () => {
    const { started, gates, outcomes } = jobs(1, 3);
    const boom = new Error('DescribeTasks failed');
    await settle();
    gates[0]!.reject(boom);
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve('ok');
    await settle();
    gates[2]!.resolve('ok too');
    expect(await Promise.all(outcomes)).toEqual([{ error: boom }, { value: 'ok' }, { value: 'ok too' }]);
  });

  // A job that throws synchronously (a non-async function) must free its slot like a rejected
  // one, or the slot leaks and a job started from a finished job's finally() never settles.
  it('treats a job that throws synchronously like a rejection: its caller gets the error and the slot frees', async () => {
    const slot = concurrencyLimit(1);
    const first = deferred<string>();
    const boom = new Error('thrown before any promise');
    const results = [
      slot(() => first.promise),
      slot((): Promise<string> => {
        throw boom;
      }),
      slot(() => Promise.resolve('after')),
    ].map((p) => p.then((value) => ({ value }), (error: unknown) => ({ error })));
    first.resolve('first');
    const settled = await Promise.race([Promise.all(results), new Promise((resolve) => setTimeout(() => resolve('never settled'), 1_000))]);
    expect(settled).toEqual([{ value: 'first' }, { error: boom }, { value: 'after' }]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s, saying what it needs', (limit) => {
    expect(() => concurrencyLimit(limit)).toThrow(new RangeError(`concurrency must be a whole number of at least 1, got ${limit}`));
  });
});

describe('chunk', () => {
  it('cuts a list into consecutive pieces of at most n, in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 100)).toEqual([]);
    expect(chunk(Array.from({ length: 150 }, (_, i) => i), 100).map((c) => c.length)).toEqual([100, 50]);
  });
});
