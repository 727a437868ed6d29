/**
 * A process manager in two plain parts:
 * - its state is a read model, kept by the projection runner with the runner's exactly-once effect.
 *   Among its collections, `pending` holds the commands it has to send, each with the times it is due
 *   (`from`, inclusive, to `until`, exclusive) and a command id derived from what it is about;
 * - a dispatcher asks the scheduler for a wake-up at the next due time and, when woken, sends what is
 *   due through the command handler, as its actor (automation: the `system` role).
 *
 * Exactly once across restarts without a transaction: the command handler appends a command id once,
 * and the aggregates accept such a command only while it still applies, so a command sent again after
 * a crash, or before the state caught up with it, appends nothing. The projection removes a pending
 * command once its effect (or anything making it moot) is seen.
 */
import type { Actor } from '@property-services/domain'
import type { CommandHandler, EventStore } from '@property-services/infrastructure'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'
import { projectionRunner } from '../runner/runner.js'
import { type Scheduler, systemScheduler } from './scheduler.js'

/** A command a process manager has to send, in its `pending` collection. */
export interface PendingCommand extends Document {
  /** UTC ISO times: due from `from` (inclusive) until `until` (exclusive). */
  readonly from: string
  readonly until: string
  /** Derived from what the command is about, so that sending it twice appends it once. */
  readonly commandId: string
  readonly command: { readonly type: string; readonly data: Readonly<Record<string, unknown>> }
}

/** `until` of a command that stays due until its effect is seen. */
export const noEnd = '9999-12-31T23:59:59.999Z'

/** What one round of a process manager did. */
export interface ProcessRound {
  /** Commands appended, by type. */
  readonly appended: Readonly<Record<string, number>>
  /** Sent before (after a crash or a restart): nothing was appended again. */
  readonly repeated: number
  /** Refused by the aggregate: it moved on since the process manager's state was written. */
  readonly refused: number
}

export interface ProcessManagerOptions {
  readonly events: EventStore
  readonly readModels: ReadModelStore
  readonly handler: Pick<CommandHandler, 'handle'>
  /** Default the system clock; pass a `manualScheduler` to move time by hand. */
  readonly scheduler?: Scheduler
  /** Who the commands are from; default `{ id: <projection name>, role: 'system' }`. */
  readonly actor?: Actor
  /** The runner's name in its lease (one instance writes at a time); see `projectionRunner`. */
  readonly owner?: string
  readonly leaseTtlMs?: number
  readonly batchSize?: number
  /** A round that failed while running live (the store or the handler threw); default: logged. */
  readonly onError?: (error: unknown) => void
}

/** How many due commands one round sends before reading its state again. */
const pageSize = 200

const count = (rounds: readonly ProcessRound[]): ProcessRound => {
  const appended: Record<string, number> = {}
  for (const r of rounds)
    for (const [type, n] of Object.entries(r.appended)) appended[type] = (appended[type] ?? 0) + n
  return {
    appended,
    repeated: rounds.reduce((s, r) => s + r.repeated, 0),
    refused: rounds.reduce((s, r) => s + r.refused, 0),
  }
}
const appendedIn = (round: ProcessRound) => Object.values(round.appended).reduce((s, n) => s + n, 0)

/**
 * A process manager over `projection`, whose `pending` collection holds {@link PendingCommand}s.
 * `runOnce()` brings its state up to date and sends everything due now (for batch jobs and
 * simulations); `start()` keeps it running, waking at each due time.
 */
export const processManager = (projection: Projection, options: ProcessManagerOptions) => {
  const { events, readModels, handler } = options
  const scheduler = options.scheduler ?? systemScheduler
  const actor = options.actor ?? { id: projection.name, role: 'system' }
  let onBatch: () => void = () => undefined
  const runner = projectionRunner({
    events,
    readModels,
    projection,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    onProgress: () => onBatch(),
  })
  const pending = () => readerCollection(readModels, projection.name, 'pending')

  /** Sends one page of what is due now. */
  const sendDue = async (): Promise<ProcessRound & { readonly page: number }> => {
    const now = scheduler.now().toISOString()
    const due = (await (
      await pending()
    ).find(
      { from: { $lte: now }, until: { $gt: now } },
      { sort: { from: 1 }, limit: pageSize },
    )) as PendingCommand[]
    const appended: Record<string, number> = {}
    let repeated = 0
    let refused = 0
    for (const item of due) {
      const { type, data } = item.command
      const result = await handler.handle({ type, commandId: item.commandId, data }, { actor })
      if (result._tag === 'Left') {
        const tag = result.left._tag
        if (tag !== 'WrongState' && tag !== 'RuleViolated')
          throw new Error(`${projection.name}: ${type} ${item.commandId}: ${result.left.message}`)
        refused++
      } else if (result.right.duplicate) repeated++
      else appended[type] = (appended[type] ?? 0) + 1
    }
    return { appended, repeated, refused, page: due.length }
  }

  /** The next time something becomes due, or undefined when nothing is pending. */
  const nextDueAt = async (): Promise<Date | undefined> => {
    const now = scheduler.now().toISOString()
    const [next] = (await (
      await pending()
    ).find({ from: { $gt: now } }, { sort: { from: 1 }, limit: 1 })) as PendingCommand[]
    return next === undefined ? undefined : new Date(next.from)
  }

  /** Brings the state up to date and sends everything due now, page by page. */
  const runOnce = async (): Promise<ProcessRound> => {
    const rounds: ProcessRound[] = []
    for (;;) {
      await runner.catchUp()
      const round = await sendDue()
      rounds.push(round)
      // A full page that appended nothing would come back the same: stop rather than spin.
      if (round.page < pageSize || appendedIn(round) === 0) return count(rounds)
    }
  }

  /** Runs live: follows new events and wakes at each due time, until stopped. */
  const start = () => {
    let stopped = false
    let cancel: () => void = () => undefined
    let wanted = false
    let round: Promise<void> | undefined
    const onError =
      options.onError ?? ((error: unknown) => console.error(`${projection.name}:`, (error as Error).message))
    const wake = () => {
      wanted = true
      if (round !== undefined || stopped) return
      round = (async () => {
        while (wanted && !stopped) {
          wanted = false
          const sent = await sendDue()
          if (sent.page === pageSize && appendedIn(sent) > 0) wanted = true
          const next = await nextDueAt()
          cancel()
          if (next !== undefined && !stopped) cancel = scheduler.wakeAt(next, wake)
        }
      })()
        .catch(onError)
        .finally(() => {
          round = undefined
        })
    }
    // Started first: a manager running already throws here (RunnerBusyError) with its wake-up untouched.
    const running = runner.start()
    onBatch = wake
    wake()
    return {
      done: running.done,
      /** Stops waking and following, and waits for the round in flight. */
      stop: async () => {
        stopped = true
        cancel()
        await running.stop()
        await round
        onBatch = () => undefined
      },
    }
  }

  return { runOnce, start, nextDueAt }
}

/** The commands a process manager has pending, earliest first. */
export const pendingCommandsOf = async (readModels: ReadModelStore, name: string, limit = 100) =>
  (await (
    await readerCollection(readModels, name, 'pending')
  ).find({}, { sort: { from: 1 }, limit })) as PendingCommand[]
