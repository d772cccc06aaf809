/**
 * Like Promise.all, but waits for every promise before rethrowing the first error: no execution
 * is still running against the target when the caller learns that one failed.
 */
export async function settleAll<X>(promises: Promise<X>[]): Promise<X[]> {
  const settled = await Promise.allSettled(promises);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<X>).value);
}
