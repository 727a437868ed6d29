/**
 * Time for process managers, injected: what time it is, and a wake-up at a given time. Tests and
 * simulations pass a {@link manualScheduler} and move its time by hand; production uses the system clock.
 */

export interface Scheduler {
  readonly now: () => Date
  /** Calls `wake` at `at` (at once if it has passed); the returned function cancels it. */
  readonly wakeAt: (at: Date, wake: () => void) => () => void
}

// setTimeout holds at most 2^31-1 ms (about 24.8 days); a later wake-up is re-armed when that passes.
const maxDelayMs = 2 ** 31 - 1

/** The system clock and `setTimeout`. */
export const systemScheduler: Scheduler = {
  now: () => new Date(),
  wakeAt: (at, wake) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const arm = () => {
      const delay = at.getTime() - Date.now()
      timer =
        delay > maxDelayMs ? setTimeout(arm, maxDelayMs) : setTimeout(wake, Math.max(0, Math.ceil(delay)))
      timer.unref?.()
    }
    arm()
    return () => clearTimeout(timer)
  },
}

export interface ManualScheduler extends Scheduler {
  /** Moves time to `to` (never back), calling every wake-up due by then in order of time, one by one. */
  readonly advanceTo: (to: Date) => void
  /** The wake-ups armed and not yet called or cancelled. */
  readonly pending: () => readonly Date[]
}

/** A scheduler whose time moves only when told: for tests and for simulations of past time. */
export const manualScheduler = (start: Date): ManualScheduler => {
  let now = start.getTime()
  let next = 0
  const timers = new Map<number, { readonly at: number; readonly wake: () => void }>()
  return {
    now: () => new Date(now),
    wakeAt: (at, wake) => {
      const id = next++
      timers.set(id, { at: at.getTime(), wake })
      return () => {
        timers.delete(id)
      }
    },
    advanceTo: (to) => {
      const target = to.getTime()
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at)[0]
        if (due === undefined) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].wake()
      }
      now = Math.max(now, target)
    },
    pending: () => [...timers.values()].map((t) => new Date(t.at)).sort((a, b) => a.getTime() - b.getTime()),
  }
}
