/**
 * Waits until `condition` holds (for effects another process or socket completes on its own
 * schedule), failing with `what` after `timeoutMs`. Not a timing assertion: only the outcome counts.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
