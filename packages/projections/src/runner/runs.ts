/** One catch-up or live run at a time, for a runner or a worker: its runs share its leases. */
import type { Projection } from './projection.js'

/**
 * A runner asked to run while it runs already: one catch-up or live run at a time per runner, since
 * its runs share its leases, and two would write the same batches side by side unfenced. Await the
 * catch-up, or `stop()` the live run (also after it failed), before running it again.
 */
export class RunnerBusyError extends Error {
  readonly code = 'ProjectionRunnerBusy'
  constructor(
    /** The projections the runner runs. */
    readonly projections: readonly string[],
    /** What it is doing: `catchUp`, or `start` (live, until stopped). */
    readonly running: 'catchUp' | 'start',
    /** What it was asked to do. */
    readonly asked: 'catchUp' | 'start',
  ) {
    super(
      `${asked}() on the projection runner of ${projections.join(', ')}, which is ${
        running === 'start' ? 'running live: stop() it first' : 'catching up: await its catchUp() first'
      }`,
    )
    this.name = 'RunnerBusyError'
  }
}

/** Claims the runner for one run (throwing {@link RunnerBusyError} while another goes on) and releases it. */
export const oneRunAtATime = (projections: readonly Projection[]) => {
  let running: 'catchUp' | 'start' | undefined
  return {
    claim: (asked: 'catchUp' | 'start') => {
      if (running !== undefined)
        throw new RunnerBusyError(
          projections.map((p) => p.name),
          running,
          asked,
        )
      running = asked
    },
    release: () => {
      running = undefined
    },
  }
}
