import { GroupCommit, type GroupWriter, UNHURRIED_WAIT_MS } from './group-commit';

/** A writer over an in-memory "table" with a unique key, recording how it was called. */
function table() {
  const rows = new Set<string>();
  const calls: string[][] = [];
  const writer: GroupWriter<string> = {
    writeMany(batch) {
      calls.push(batch);
      if (batch.some((row) => rows.has(row)) || new Set(batch).size < batch.length) throw new Error('duplicate');
      for (const row of batch) rows.add(row);
    },
    async writeOne(row) {
      calls.push([row]);
      await Promise.resolve();
      if (rows.has(row)) throw new Error(`duplicate ${row}`);
      rows.add(row);
    },
  };
  return { rows, calls, writer };
}

describe('GroupCommit', () => {
  it('writes rows added in the same tick as one batch, after the tick', async () => {
    const { rows, calls, writer } = table();
    const group = new GroupCommit(writer);
    const done = Promise.all(['a', 'b', 'c'].map((row) => group.add(row)));
    expect(rows.size).toBe(0);
    await done;
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect([...rows]).toEqual(['a', 'b', 'c']);
  });

  it('writes a lone row on its own', async () => {
    const { calls, writer } = table();
    await new GroupCommit(writer).add('solo');
    expect(calls).toEqual([['solo']]);
  });

  it('splits a large tick into batches of at most maxBatch', async () => {
    const { calls, writer } = table();
    const group = new GroupCommit(writer, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((row) => group.add(row)));
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('fails only the failing row of a batch: the rest are written one by one', async () => {
    const { rows, writer } = table();
    rows.add('taken');
    const group = new GroupCommit(writer);
    const outcomes = await Promise.allSettled(['x', 'taken', 'y'].map((row) => group.add(row)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('duplicate taken'));
    expect([...rows].sort()).toEqual(['taken', 'x', 'y']);
  });

  it('takes rows added while a batch is being written into the next one', async () => {
    const { calls, writer } = table();
    const group = new GroupCommit(writer);
    const first = group.add('a');
    await first;
    await Promise.all([group.add('b'), group.add('c')]);
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('lets unhurried rows of several ticks wait a little to share one write', async () => {
    // The clock is the test's: on a busy machine three real ticks can outlast the wait.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const { calls, writer } = table();
      const group = new GroupCommit(writer);
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      const done = [group.add('a', true)];
      await tick();
      done.push(group.add('b', true));
      await tick();
      done.push(group.add('c', true));
      await tick();
      expect(calls).toEqual([]);
      jest.advanceTimersByTime(UNHURRIED_WAIT_MS);
      await Promise.all(done);
      expect(calls).toEqual([['a', 'b', 'c']]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('writes waiting unhurried rows at once with a row someone waits for, or when a batch is full', async () => {
    // The unhurried delay never elapses here: a write that waited for it would never happen.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const { calls, writer } = table();
      const group = new GroupCommit(writer, 3);
      await Promise.all([group.add('x', true), group.add('y')]);
      expect(calls).toEqual([['x', 'y']]);
      await Promise.all(['p', 'q', 'r'].map((row) => group.add(row, true)));
      expect(calls.at(-1)).toEqual(['p', 'q', 'r']);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('after a write, lets unhurried rows that came meanwhile wait for company; awaited ones go at once', async () => {
    const calls: string[][] = [];
    const releases: Array<() => void> = [];
    const slow: GroupWriter<string> = {
      async writeMany(batch) {
        calls.push(batch);
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      async writeOne(row) {
        await this.writeMany([row]);
      },
    };
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const group = new GroupCommit(slow);
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      const first = group.add('a');
      await tick();
      const waiting = group.add('b', true);
      releases.shift()!();
      await first;
      await tick();
      expect(calls).toEqual([['a']]); // 'b' waits for company
      const urgent = group.add('c');
      await tick();
      expect(calls).toEqual([['a'], ['b', 'c']]);
      releases.shift()!();
      await Promise.all([waiting, urgent]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps one write in flight: rows of later ticks wait for it and go in one next batch', async () => {
    const calls: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const slow: GroupWriter<string> = {
      async writeMany(batch) {
        calls.push(batch);
        most = Math.max(most, ++inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight--;
      },
      async writeOne(row) {
        await this.writeMany([row]);
      },
    };
    const group = new GroupCommit(slow);
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const first = Promise.all([group.add('a'), group.add('b')]);
    await tick();
    expect(calls).toEqual([['a', 'b']]);
    // Three more turns of the event loop while the first write is out.
    const later = [group.add('c')];
    await tick();
    later.push(group.add('d'));
    await tick();
    later.push(group.add('e'));
    await tick();
    expect(calls).toEqual([['a', 'b']]);
    releases.shift()!();
    await first;
    await tick();
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    releases.shift()!();
    await Promise.all(later);
    expect(most).toBe(1);
    // Idle again: the next row starts a flush of its own.
    const next = group.add('f');
    await tick();
    releases.shift()!();
    await next;
    expect(calls.at(-1)).toEqual(['f']);
  });
});
