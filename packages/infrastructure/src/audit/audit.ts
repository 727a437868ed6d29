import {
  type Actor,
  aggregates,
  defaultPolicies,
  type Event,
  IsoDateTime,
  type Policies,
} from '@property-services/domain'
import { aggregateOfStream } from '../commands/commandHandler.js'
import type { EventStore } from '../eventStore/port.js'
import type { KeyStore } from '../keys/port.js'
import { recordedAtOf } from '../serialization/metadata.js'
import { serde as defaultSerde, type RecordedEvent, type Serde } from '../serialization/serde.js'

/** One line of an aggregate's history: when, who, what. */
export interface TimelineEntry {
  readonly revision: number
  /** Business time: when it happened. */
  readonly at: string
  /** When it was recorded. */
  readonly recordedAt: string
  readonly actor: Actor
  readonly commandId: string
  readonly type: Event['type']
  readonly event: Event
}

export interface StateAsOf {
  readonly streamName: string
  readonly aggregate: string
  /** The last revision applied; -1 when nothing was. */
  readonly revision: number
  readonly state: unknown
  readonly events: readonly RecordedEvent[]
}

export interface AuditOptions {
  readonly store: EventStore
  readonly policies?: Policies
  readonly serde?: Serde
  /** Owners' data keys, to show personal data; without them (or once erased) it reads as `{ erased: true }`. */
  readonly keys?: KeyStore
  /**
   * Called with each stored event that cannot be read, which is then left out of the replay. Without
   * it, such an event throws (a `StoredEventDecodeError` or `CorruptStoredEventError` naming it).
   */
  readonly onUnreadable?: (error: Error) => void
}

/** The point in a stream's history to look at: a revision, a moment (business time), or both. */
export interface AsOf {
  readonly toRevision?: number
  readonly toTime?: string
}

/** Replays history for audits: the state of any aggregate as of a revision or moment, and its timeline. */
export const auditor = (options: AuditOptions) => {
  const all = aggregates(options.policies ?? defaultPolicies)
  const codec =
    options.serde ?? defaultSerde({ ...(options.keys === undefined ? {} : { keys: options.keys }) })

  const recorded = async (streamName: string, asOf: AsOf): Promise<RecordedEvent[]> => {
    if (asOf.toTime !== undefined && !IsoDateTime.is(asOf.toTime))
      throw new TypeError(
        `not a moment to audit as of: ${JSON.stringify(asOf.toTime)} (ISO-8601 with an offset)`,
      )
    const read = await options.store.readStream(streamName, asOf)
    const { onUnreadable } = options
    if (onUnreadable === undefined) return read.events.map((stored) => codec.decode(stored))
    return read.events.flatMap((stored) => {
      try {
        return [codec.decode(stored)]
      } catch (error) {
        onUnreadable(error as Error)
        return []
      }
    })
  }

  return {
    /** The state of the aggregate behind `streamName` as it was at `asOf`. */
    stateAsOf: async (streamName: string, asOf: AsOf = {}): Promise<StateAsOf> => {
      const found = aggregateOfStream(all, streamName)
      if (found === undefined) throw new TypeError(`no aggregate has streams named like ${streamName}`)
      const events = await recorded(streamName, asOf)
      let state = found.aggregate.decider.initialState
      for (const r of events) state = found.aggregate.decider.evolve(state, r.event as never)
      return {
        streamName,
        aggregate: found.name,
        revision: events[events.length - 1]?.revision ?? -1,
        state,
        events,
      }
    },
    /** Who did what, when, in a stream, up to `asOf`. */
    timeline: async (streamName: string, asOf: AsOf = {}): Promise<TimelineEntry[]> =>
      (await recorded(streamName, asOf)).map((r) => ({
        revision: r.revision,
        at: r.metadata.occurredAt,
        recordedAt: recordedAtOf(r.metadata),
        actor: r.metadata.actor,
        commandId: r.metadata.commandId,
        type: r.event.type,
        event: r.event,
      })),
  }
}
