/**
 * The deadline watch: a process manager that warns staff before a verbal complaint's reply deadline and
 * escalates to the manager an emergency not dispatched in time or a department late with its work.
 *
 * It is two plain parts:
 * - its state is a read model, kept by the projection runner with the runner's exactly-once effect: each
 *   complaint's state folded by the domain's own `evolve`, and one `pending` document per warning or
 *   escalation the domain's deadline rules (deadlines.ts) say is pending, with the times it is due;
 * - a dispatcher asks the scheduler for a wake-up at the next due time and, when woken, sends what is
 *   due as commands through the command handler, as the `system` actor.
 *
 * Exactly once across restarts without a transaction: the complaint decider accepts a warning or an
 * escalation only while it is pending, once per deadline, and each command's id is derived from the
 * complaint, the action and the deadline, so a command sent again after a crash appends nothing.
 */
import { createHash } from 'node:crypto'
import {
  type Actor,
  aggregates,
  type ComplaintEvent,
  type ComplaintState,
  complaintDecider,
  type DeadlineAction,
  type DueAction,
  defaultPolicies,
  type Policies,
  pendingDeadlineActions,
  type TimeOrdered,
} from '@property-services/domain'
import type { CommandHandler, EventStore } from '@property-services/infrastructure'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Change, Projection } from '../runner/projection.js'
import { projectionRunner } from '../runner/runner.js'
import { type Scheduler, systemScheduler } from './scheduler.js'

export const deadlineWatchName = 'deadlineWatch'

/** One warning or escalation pending for a complaint. `until` is far in the future when it has no end. */
export interface PendingDeadlineAction extends Document {
  readonly complaintId: string
  readonly action: DeadlineAction
  readonly deadline: string
  readonly from: string
  readonly until: string
}

interface WatchedComplaint extends Document {
  readonly state: ComplaintState & TimeOrdered
}

interface Collections {
  readonly [collection: string]: Document
  readonly complaints: WatchedComplaint
  readonly pending: PendingDeadlineAction
}

const noEnd = '9999-12-31T23:59:59.999Z'
const actions: readonly DeadlineAction[] = ['warn-reply', 'escalate-dispatch', 'escalate-department']
const pendingId = (complaintId: string, action: DeadlineAction) => `${complaintId}/${action}`
const pendingOf = (state: ComplaintState, policies: Policies): readonly DueAction[] =>
  state.status === 'none' ? [] : pendingDeadlineActions(state, policies)

/** The watch's state as a projection: each complaint folded, and what is pending for it. */
export const deadlineWatchProjection = (policies: Policies = defaultPolicies): Projection<Collections> => {
  const { evolve, initialState } = complaintDecider(policies)
  return {
    name: deadlineWatchName,
    collections: ['complaints', 'pending'],
    canHandle: aggregates(policies).complaint.eventTypes,
    prefetch: ({ event }) => [['complaints', (event.data as { complaintId: string }).complaintId]],
    project({ event }, view) {
      const complaintId = (event.data as { complaintId: string }).complaintId
      const before = view.get('complaints', complaintId)?.state ?? initialState
      const after = evolve(before, event as ComplaintEvent)
      const changes: Change[] = [
        { collection: 'complaints', id: complaintId, doc: { _id: complaintId, state: after } },
      ]
      const was = pendingOf(before, policies)
      const is = pendingOf(after, policies)
      for (const action of actions) {
        const now = is.find((a) => a.action === action)
        const then = was.find((a) => a.action === action)
        const id = pendingId(complaintId, action)
        if (now !== undefined && (then?.deadline !== now.deadline || then.from !== now.from))
          changes.push({
            collection: 'pending',
            id,
            doc: { _id: id, complaintId, ...now, until: now.until ?? noEnd },
          })
        else if (now === undefined && then !== undefined)
          changes.push({ collection: 'pending', id, doc: null })
      }
      return changes
    },
  }
}

/** What one round of the watch did. */
export interface DeadlineWatchRound {
  readonly warned: number
  readonly escalated: number
  /** Sent before (after a crash or a restart): nothing was appended again. */
  readonly repeated: number
  /** Refused by the complaint: it moved on since the watch's state was written. */
  readonly refused: number
}

export interface DeadlineWatchOptions {
  readonly events: EventStore
  readonly readModels: ReadModelStore
  readonly handler: Pick<CommandHandler, 'handle'>
  readonly policies?: Policies
  /** Default the system clock; pass a `manualScheduler` to move time by hand. */
  readonly scheduler?: Scheduler
  /** Who the warnings and escalations are from; default `{ id: 'deadline-watch', role: 'system' }`. */
  readonly actor?: Actor
  /** The runner's name in its lease (one watch writes at a time); see `projectionRunner`. */
  readonly owner?: string
  readonly leaseTtlMs?: number
  readonly batchSize?: number
  /** A round that failed while running live (the store or the handler threw); default: logged. */
  readonly onError?: (error: unknown) => void
}

/** How many due actions one round sends before reading its state again. */
const pageSize = 200

/** A deterministic command id per complaint, action and deadline: the same warning is sent once. */
const commandIdOf = (pending: PendingDeadlineAction) =>
  `dw-${createHash('sha256')
    .update(`${pending.complaintId}|${pending.action}|${pending.deadline}`)
    .digest('hex')
    .slice(0, 40)}`

/**
 * The deadline watch. `runOnce()` brings its state up to date and sends everything due now (for
 * batch jobs and simulations); `start()` keeps it running, waking at each due time.
 */
export const deadlineWatch = (options: DeadlineWatchOptions) => {
  const { events, readModels, handler } = options
  const policies = options.policies ?? defaultPolicies
  const scheduler = options.scheduler ?? systemScheduler
  const actor = options.actor ?? { id: 'deadline-watch', role: 'system' }
  let onBatch: () => void = () => undefined
  const runner = projectionRunner({
    events,
    readModels,
    projection: deadlineWatchProjection(policies),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    onProgress: () => onBatch(),
  })
  const pending = () => readerCollection(readModels, deadlineWatchName, 'pending')

  /** Sends one page of what is due now; says how many and whether any was appended. */
  const sendDue = async (): Promise<DeadlineWatchRound & { readonly page: number }> => {
    const now = scheduler.now().toISOString()
    const due = (await (
      await pending()
    ).find(
      { from: { $lte: now }, until: { $gt: now } },
      { sort: { from: 1 }, limit: pageSize },
    )) as PendingDeadlineAction[]
    let warned = 0
    let escalated = 0
    let repeated = 0
    let refused = 0
    for (const item of due) {
      const data =
        item.action === 'warn-reply'
          ? { complaintId: item.complaintId }
          : {
              complaintId: item.complaintId,
              deadline: item.action === 'escalate-dispatch' ? 'dispatch' : 'department',
            }
      const result = await handler.handle(
        {
          type: item.action === 'warn-reply' ? 'WarnOfReplyDeadline' : 'EscalateComplaint',
          commandId: commandIdOf(item),
          data,
        },
        { actor },
      )
      if (result._tag === 'Left') {
        const tag = result.left._tag
        if (tag !== 'WrongState' && tag !== 'RuleViolated') throw new Error(result.left.message)
        refused++
      } else if (result.right.duplicate) repeated++
      else if (item.action === 'warn-reply') warned++
      else escalated++
    }
    return { warned, escalated, repeated, refused, page: due.length }
  }

  /** The next time something becomes due, or undefined when nothing is pending. */
  const nextDueAt = async (): Promise<Date | undefined> => {
    const now = scheduler.now().toISOString()
    const [next] = (await (
      await pending()
    ).find({ from: { $gt: now } }, { sort: { from: 1 }, limit: 1 })) as PendingDeadlineAction[]
    return next === undefined ? undefined : new Date(next.from)
  }

  /** Brings the state up to date and sends everything due now, page by page. */
  const runOnce = async (): Promise<DeadlineWatchRound> => {
    const total = { warned: 0, escalated: 0, repeated: 0, refused: 0 }
    for (;;) {
      await runner.catchUp()
      const round = await sendDue()
      total.warned += round.warned
      total.escalated += round.escalated
      total.repeated += round.repeated
      total.refused += round.refused
      // A full page that appended nothing would come back the same: stop rather than spin.
      if (round.page < pageSize || round.warned + round.escalated === 0) return total
    }
  }

  /** Runs live: follows new events and wakes at each due time, until stopped. */
  const start = () => {
    let stopped = false
    let cancel: () => void = () => undefined
    let wanted = false
    let round: Promise<void> | undefined
    const onError =
      options.onError ?? ((error: unknown) => console.error('deadline watch:', (error as Error).message))
    const wake = () => {
      wanted = true
      if (round !== undefined || stopped) return
      round = (async () => {
        while (wanted && !stopped) {
          wanted = false
          const sent = await sendDue()
          if (sent.page === pageSize && sent.warned + sent.escalated > 0) wanted = true
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
    onBatch = wake
    const running = runner.start()
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

/** The warnings and escalations pending as of now, for reports: earliest first. */
export const pendingDeadlineActionsOf = async (readModels: ReadModelStore, limit = 100) =>
  (await (
    await readerCollection(readModels, deadlineWatchName, 'pending')
  ).find({}, { sort: { from: 1 }, limit })) as PendingDeadlineAction[]
