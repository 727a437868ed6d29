import { Observable } from 'rxjs'
import type { Position, ReadAllOptions, ReadAllPage, StoredEvent } from './port.js'

export interface CatchUpOptions {
  readonly after?: Position
  readonly pageSize?: number
  /** How often to look for events appended by other processes when no signal came; default 250 ms. */
  readonly pollIntervalMs?: number
}

/**
 * A subscription built on paged reads: read every page after the last delivered position, then wait
 * for a signal that something was appended (or the poll interval, for writers in other processes) and
 * read again. Delivery follows the global order and never repeats or skips an event, because every
 * read starts after the last event delivered.
 */
export const catchUpSubscription = (
  readAll: (options: ReadAllOptions) => Promise<ReadAllPage>,
  appended: Observable<void>,
  options: CatchUpOptions = {},
): Observable<StoredEvent> =>
  new Observable<StoredEvent>((subscriber) => {
    const pageSize = options.pageSize ?? 1000
    const pollIntervalMs = options.pollIntervalMs ?? 250
    let after = options.after
    let stopped = false
    let signalled = false
    let wake: (() => void) | undefined
    const signals = appended.subscribe(() => {
      signalled = true
      wake?.()
    })
    const sleep = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs)
        function done() {
          clearTimeout(timer)
          wake = undefined
          resolve()
        }
        wake = done
      })
    const run = async () => {
      while (!stopped) {
        signalled = false
        const page = await readAll(
          after === undefined ? { maxCount: pageSize } : { after, maxCount: pageSize },
        )
        for (const event of page.events) {
          if (stopped) return
          subscriber.next(event)
        }
        if (page.lastPosition !== undefined) after = page.lastPosition
        if (page.isEnd && !signalled && !stopped) await sleep()
      }
    }
    run().catch((error: unknown) => {
      if (!stopped) subscriber.error(error)
    })
    return () => {
      stopped = true
      signals.unsubscribe()
      wake?.()
    }
  })
