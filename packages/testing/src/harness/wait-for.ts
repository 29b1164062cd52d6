/**
 * Polls until the probe gives a truthy value and returns it; throws once the time is up, so a
 * test waiting on something asynchronous fails instead of hanging. The default wait allows for
 * work that crosses services on a machine the whole stack shares.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
