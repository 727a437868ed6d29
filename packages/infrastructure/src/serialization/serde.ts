import {
  type Actor,
  type DecodeIssue,
  decodeEvent,
  decodeGuardFirst,
  decodeIssues,
  type Event,
  type EventType,
  eventCodecs,
  personalDataFields,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { UnparseableStoredValue } from '../eventStore/errors.js'
import type { NewEvent, Position, StoredEvent } from '../eventStore/port.js'
import { hexDigest } from '../integrity/digest.js'
import { eventHash } from '../integrity/hashChain.js'
import type { KeyStore } from '../keys/port.js'
import { decryptField, encryptField, isEncrypted } from './encryption.js'
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
  /** The community the events belong to; absent for the company's own (services, staff, courses). */
  readonly community?: string
}

/**
 * A deterministic event id (an RFC 4122 name-based UUID) from the causing command and the event's
 * place in its output: re-deciding the same command yields the same ids.
 */
export const eventIdFor = (commandId: string, index: number): string => {
  const hex = hexDigest('sha1', `${commandId}/${index}`)
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

/** How new events are sealed: whose personal data each holds, and the stream's hash chain so far. */
export interface Sealing {
  /** For each event, the owner whose personal data it holds (see `personalDataOwner`). */
  readonly owners?: readonly (string | undefined)[]
  /** The `hash` of the stream's last stored event; null for a new stream. Absent: no chaining. */
  readonly previousHash?: string | null
}

export interface Serde {
  /**
   * Encodes domain events caused by a command into events to append: personal-data fields encrypted
   * under their owner's key (the key must exist: `keys.keyFor(owner)` first), each event's hash chained.
   */
  readonly toNewEvents: (events: readonly Event[], causation: Causation, sealing?: Sealing) => NewEvent[]
  /**
   * Decodes a stored event: metadata, decryption of personal data, upcasting, then the event's codec.
   * Throws a typed error. `{ personalData: false }` leaves personal data sealed (it reads as erased):
   * for replays whose decisions never read it (the command handler's).
   */
  readonly decode: (stored: StoredEvent, options?: { readonly personalData?: boolean }) => RecordedEvent
}

export interface SerdeOptions {
  readonly upcasters?: UpcasterRegistry
  /**
   * Where owners' data keys are. With it, personal-data fields are stored encrypted and read back
   * decrypted (or as `{ erased: true }` once the key is deleted). Without it, new events store them in
   * plain text, and encrypted ones read as erased.
   */
  readonly keys?: KeyStore
}

/** Serialization through the domain's codecs, with upcasting, encryption of personal data and hash chains. */
export const serde = (options: SerdeOptions = {}): Serde => {
  const registry = options.upcasters ?? upcasters
  const { keys } = options

  const seal = (data: Record<string, unknown>, type: string, owner: string | undefined, eventId: string) => {
    const fields = personalDataFields[type as EventType]
    if (keys === undefined || fields === undefined || owner === undefined) return data
    const key = keys.keyOf(owner)
    if (key === undefined) throw new Error(`no data key for owner ${owner}: call keys.keyFor first`)
    const sealed = { ...data }
    for (const field of fields)
      if (Object.hasOwn(data, field)) sealed[field] = encryptField(data[field], owner, key, eventId, field)
    return sealed
  }

  const unseal = (stored: StoredEvent, data: unknown, open: boolean): unknown => {
    const fields = personalDataFields[stored.type as EventType]
    if (fields === undefined || typeof data !== 'object' || data === null) return data
    let opened: Record<string, unknown> | undefined
    for (const field of fields) {
      const value = (data as Record<string, unknown>)[field]
      if (!isEncrypted(value)) continue
      opened ??= { ...(data as Record<string, unknown>) }
      try {
        const key = open ? keys?.keyOf(value.$encrypted.owner) : undefined
        opened[field] = decryptField(value, key, stored.eventId, field)
      } catch (error) {
        throw new StoredEventDecodeError(stored.streamName, stored.revision, stored.type, [
          { path: `data.${field}`, expected: 'a ciphertext that authenticates', actual: String(error) },
        ])
      }
    }
    return opened ?? data
  }

  return {
    toNewEvents: (events, causation, sealing = {}) => {
      let previousHash = sealing.previousHash
      return events.map((event, index) => {
        const encoded = (eventCodecs[event.type] as (typeof eventCodecs)[string]).encode(event) as Event
        const eventId = eventIdFor(causation.commandId, index)
        const data = seal(
          encoded.data as Record<string, unknown>,
          event.type,
          sealing.owners?.[index],
          eventId,
        )
        const metadata = { eventId, ...causation, schemaVersion: currentVersion(registry, event.type) }
        if (previousHash === undefined) return { eventId, type: event.type, data, metadata }
        const hash = eventHash({ type: event.type, data, metadata }, previousHash)
        previousHash = hash
        return { eventId, type: event.type, data, metadata: { ...metadata, hash } }
      })
    },
    decode: (stored, options = {}) => {
      if (stored.metadata instanceof UnparseableStoredValue) throw stored.metadata.error
      if (stored.data instanceof UnparseableStoredValue) throw stored.data.error
      const failed = (issues: readonly DecodeIssue[]) =>
        new StoredEventDecodeError(stored.streamName, stored.revision, stored.type, issues)
      const metadata = decodeGuardFirst(EventMetadata, stored.metadata)
      if (E.isLeft(metadata)) {
        throw failed(decodeIssues(metadata.left).map((i) => ({ ...i, path: `metadata.${i.path}` })))
      }
      let data: unknown
      try {
        data = upcast(
          registry,
          stored.type,
          metadata.right.schemaVersion,
          unseal(stored, stored.data, options.personalData ?? true),
        )
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
  }
}
