import { createHash } from 'node:crypto'
import {
  type Actor,
  type DecodeIssue,
  decodeEvent,
  decodeIssues,
  type Event,
  eventCodecs,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { UnparseableStoredValue } from '../eventStore/errors.js'
import type { NewEvent, Position, StoredEvent } from '../eventStore/port.js'
import { EventMetadata } from './metadata.js'
import { currentVersion, type UpcasterRegistry, upcast, upcasters } from './upcasters.js'

/** A domain event read back from a store, with where it is and who caused it. */
export interface RecordedEvent<Ev extends Event = Event> {
  readonly streamName: string
  readonly revision: number
  readonly position: Position
  readonly event: Ev
  readonly metadata: EventMetadata
}

/** A stored event that no codec accepts: names the stream, revision, event type and failing fields. */
export class StoredEventDecodeError extends Error {
  readonly code = 'StoredEventDecode'
  constructor(
    readonly streamName: string,
    readonly revision: number,
    readonly eventType: string,
    readonly issues: readonly DecodeIssue[],
  ) {
    super(
      `stream ${streamName} revision ${revision} (${eventType}): ${issues
        .map((i) => `at ${i.path} expected ${i.expected}, got ${i.actual}`)
        .join('; ')}`,
    )
    this.name = 'StoredEventDecodeError'
  }
}

/** What the command contributes to the metadata of the events it causes. */
export interface Causation {
  readonly commandId: string
  readonly correlationId: string
  readonly actor: Actor
  /** Business time: when it happened. */
  readonly occurredAt: string
  /** When the handler recorded it. */
  readonly recordedAt: string
}

/**
 * A deterministic event id (an RFC 4122 name-based UUID) from the causing command and the event's
 * place in its output: re-deciding the same command yields the same ids.
 */
export const eventIdFor = (commandId: string, index: number): string => {
  const hex = createHash('sha1').update(`${commandId}/${index}`).digest('hex')
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

export interface Serde {
  /** Encodes domain events caused by a command into events to append. */
  readonly toNewEvents: (events: readonly Event[], causation: Causation) => NewEvent[]
  /** Decodes a stored event: metadata, upcasting, then the event's codec. Throws a typed error. */
  readonly decode: (stored: StoredEvent) => RecordedEvent
}

/** Serialization through the domain's codecs, with the given upcasters. */
export const serde = (registry: UpcasterRegistry = upcasters): Serde => ({
  toNewEvents: (events, causation) =>
    events.map((event, index) => {
      const encoded = (eventCodecs[event.type] as (typeof eventCodecs)[string]).encode(event) as Event
      const eventId = eventIdFor(causation.commandId, index)
      return {
        eventId,
        type: event.type,
        data: encoded.data,
        metadata: { eventId, ...causation, schemaVersion: currentVersion(registry, event.type) },
      }
    }),
  decode: (stored) => {
    for (const field of [stored.metadata, stored.data])
      if (field instanceof UnparseableStoredValue) throw field.error
    const failed = (issues: readonly DecodeIssue[]) =>
      new StoredEventDecodeError(stored.streamName, stored.revision, stored.type, issues)
    const metadata = EventMetadata.decode(stored.metadata)
    if (E.isLeft(metadata)) {
      throw failed(decodeIssues(metadata.left).map((i) => ({ ...i, path: `metadata.${i.path}` })))
    }
    let data: unknown
    try {
      data = upcast(registry, stored.type, metadata.right.schemaVersion, stored.data)
    } catch (error) {
      throw failed([
        { path: 'data', expected: `data an upcaster of ${stored.type} accepts`, actual: String(error) },
      ])
    }
    const event = decodeEvent({ type: stored.type, data })
    if (E.isLeft(event)) throw failed(event.left.issues)
    return {
      streamName: stored.streamName,
      revision: stored.revision,
      position: stored.position,
      event: event.right,
      metadata: metadata.right,
    }
  },
})
