/** EventStoreDB through `@eventstore/db-client` 6 (EventStoreDB 20.10 and later). */
import {
  ANY,
  type AppendExpectedRevision,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client'
import {
  type ClientExpectation,
  type GrpcDialect,
  type GrpcStoreOptions,
  grpcEventStore,
} from './grpcEventStore.js'
import type { EventStore } from './port.js'

export interface EventStoreDbOptions extends GrpcStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string
}

const toClient = (expected: ClientExpectation): AppendExpectedRevision =>
  expected === 'any'
    ? ANY
    : expected === 'no_stream'
      ? NO_STREAM
      : expected === 'stream_exists'
        ? STREAM_EXISTS
        : expected
const fromClient = (revision: AppendExpectedRevision | bigint): ClientExpectation =>
  typeof revision === 'bigint' ? revision : revision

/** The dialect of `@eventstore/db-client`: `expectedRevision`, `expectedVersion`/`actualVersion`. */
const eventStoreDbDialect = (client: EventStoreDBClient): GrpcDialect => ({
  server: 'EventStoreDB',
  start: START,
  append: (streamName, events, expected) =>
    client.appendToStream(
      streamName,
      events.map((e) =>
        jsonEvent({
          ...(e.id === undefined ? {} : { id: e.id }),
          type: e.type,
          data: e.data as never,
          ...(e.metadata === undefined ? {} : { metadata: e.metadata as never }),
        }),
      ),
      { expectedRevision: toClient(expected) },
    ),
  readStream: (streamName, options) => client.readStream(streamName, options),
  readAll: (options) => client.readAll(options as never),
  subscribeToAll: (options) =>
    client.subscribeToAll({ fromPosition: options.fromPosition as never, filter: excludeSystemEvents() }),
  wrongExpected: (error) =>
    error instanceof WrongExpectedVersionError
      ? { expected: fromClient(error.expectedVersion), actual: fromClient(error.actualVersion as never) }
      : undefined,
  isStreamNotFound: (error) => error instanceof StreamNotFoundError,
  dispose: () => client.dispose(),
})

/**
 * EventStoreDB (20.10+) through `@eventstore/db-client` 6. For KurrentDB 25+, see `kurrentDbEventStore`
 * (the same protocol, the newer client).
 */
export const eventStoreDbEventStore = (options: EventStoreDbOptions): EventStore =>
  grpcEventStore(eventStoreDbDialect(EventStoreDBClient.connectionString(options.connectionString)), options)
