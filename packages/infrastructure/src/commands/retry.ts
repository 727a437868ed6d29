export interface RetryPolicy {
  /** Attempts in all, the first included; default 10. */
  readonly maxAttempts?: number
  /** Backoff ceiling after the first conflict, doubled each time up to `maxDelayMs`; defaults 2 and 200 ms. */
  readonly initialDelayMs?: number
  readonly maxDelayMs?: number
}

/** Exponential backoff with full jitter: a random delay between 0 and the attempt's ceiling. */
export const backoffDelay = (policy: RetryPolicy, attempt: number, random: () => number): number => {
  const ceiling = Math.min(policy.maxDelayMs ?? 200, (policy.initialDelayMs ?? 2) * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
