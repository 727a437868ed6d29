import type { ExpectedRevision } from './port.js'

/** The stream was not at the expected revision: somebody else appended first. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WrongExpectedRevision'
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or `no_stream`. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamName}: expected revision ${expected}, actual ${actual}`)
    this.name = 'WrongExpectedRevisionError'
  }
}

/** A stored event whose bytes are not JSON: the store was damaged or written by something else. */
export class CorruptStoredEventError extends Error {
  readonly code = 'CorruptStoredEvent'
  constructor(
    readonly streamName: string,
    readonly revision: number,
    readonly eventType: string,
    readonly field: 'data' | 'metadata',
    readonly reason: string,
  ) {
    super(`stream ${streamName} revision ${revision} (${eventType}): ${field} is not valid JSON: ${reason}`)
    this.name = 'CorruptStoredEventError'
  }
}

/**
 * Stands in for a stored field that is not JSON. Reading the store goes on (a projection may quarantine
 * the event, an audit may count it); decoding the event throws the error, which names it.
 */
export class UnparseableStoredValue {
  constructor(readonly error: CorruptStoredEventError) {}
}

/** Parses a stored JSON column; a column that is not JSON becomes an {@link UnparseableStoredValue}. */
export const parseStoredJson = (
  text: string,
  where: { streamName: string; revision: number; type: string },
  field: 'data' | 'metadata',
): unknown => {
  try {
    return JSON.parse(text)
  } catch (error) {
    return new UnparseableStoredValue(
      new CorruptStoredEventError(
        where.streamName,
        where.revision,
        where.type,
        field,
        (error as Error).message,
      ),
    )
  }
}

/** Checks an expected revision against the stream's current last revision (-1: no stream). */
export const checkExpectedRevision = (
  streamName: string,
  expected: ExpectedRevision,
  current: number,
): void => {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    expected === current
  if (!ok) throw new WrongExpectedRevisionError(streamName, expected, current === -1 ? 'no_stream' : current)
}

/** A call on an event store after its `close()`: nothing was read or written. */
export class EventStoreClosedError extends Error {
  readonly code = 'EventStoreClosed'
  constructor(
    readonly store: string,
    readonly operation: string,
  ) {
    super(`${operation} on the ${store} event store, which is closed`)
    this.name = 'EventStoreClosedError'
  }
}

/** The store cannot change stored events (EventStoreDB): personal data there needs crypto-shredding. */
export class RedactionUnsupportedError extends Error {
  readonly code = 'RedactionUnsupported'
  constructor(readonly store: string) {
    super(
      `${store} events are immutable: erasing personal data from them needs crypto-shredding, which is not built`,
    )
    this.name = 'RedactionUnsupportedError'
  }
}

/**
 * An event id already stored in another stream. Event ids derive from command ids, so this is a command
 * id reused for another aggregate: the append is refused whole.
 */
export class DuplicateEventIdError extends Error {
  readonly code = 'DuplicateEventId'
  constructor(
    readonly eventId: string,
    /** The stream the id was first stored in. */
    readonly existingStreamName: string,
    readonly streamName: string,
  ) {
    super(`event ${eventId} is already stored in ${existingStreamName}; not appended to ${streamName}`)
    this.name = 'DuplicateEventIdError'
  }
}
