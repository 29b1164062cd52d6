/** A NATS call that did not settle in time; the call itself may still finish later. */
export class NatsDeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer from NATS within ${ms} ms`);
    this.name = 'NatsDeadlineError';
  }
}

/** `work`, or a NatsDeadlineError naming `what` once `ms` have passed without it settling. */
export async function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NatsDeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
