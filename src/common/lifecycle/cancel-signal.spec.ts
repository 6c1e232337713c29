import { Cancellation, type CancelSignal } from './cancel-signal';

describe('Cancellation', () => {
  it('runs each listener once, in order, with the reason set before they run', () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    cancellation.addEventListener('abort', () => calls.push(`a:${String(cancellation.reason)}`));
    cancellation.addEventListener('abort', () => calls.push('b'));
    expect(cancellation.aborted).toBe(false);
    cancellation.abort('stopped');
    cancellation.abort('again');
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe('stopped');
    expect(calls).toEqual(['a:stopped', 'b']);
  });

  it('forgets a removed listener, and ignores listeners added after the abort', () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    cancellation.addEventListener('abort', removed);
    cancellation.removeEventListener('abort', removed);
    cancellation.removeEventListener('abort', () => undefined); // unknown: nothing happens
    cancellation.abort();
    cancellation.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([]);
    expect(cancellation.reason).toBeInstanceOf(Error);
  });

  it('stands where a DOM AbortSignal is accepted, and an AbortSignal stands where it is', () => {
    const signals: CancelSignal[] = [new Cancellation(), AbortSignal.abort('x')];
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });
});
