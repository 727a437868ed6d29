/** KurrentDB through `@kurrent/kurrentdb-client` 1 (the successor of `@eventstore/db-client`). */
import {
  ANY,
  type AppendStreamState,
  excludeSystemEvents,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client'
import {
  type ClientExpectation,
  type GrpcDialect,
  type GrpcStoreOptions,
  grpcEventStore,
} from './grpcEventStore.js'
import type { EventStore } from './port.js'

export interface KurrentDbOptions extends GrpcStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` (`esdb://` is still accepted by the client). */
  readonly connectionString: string
}

const toClient = (expected: ClientExpectation): AppendStreamState =>
  expected === 'any'
    ? ANY
    : expected === 'no_stream'
      ? NO_STREAM
      : expected === 'stream_exists'
        ? STREAM_EXISTS
        : expected

/** The dialect of `@kurrent/kurrentdb-client`: `streamState`, `expectedState`/`actualState`. */
const kurrentDbDialect = (client: KurrentDBClient): GrpcDialect => ({
  server: 'KurrentDB',
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
      { streamState: toClient(expected) },
    ),
  readStream: (streamName, options) => client.readStream(streamName, options),
  readAll: (options) => client.readAll(options as never),
  subscribeToAll: (options) =>
    client.subscribeToAll({ fromPosition: options.fromPosition as never, filter: excludeSystemEvents() }),
  wrongExpected: (error) =>
    error instanceof WrongExpectedVersionError
      ? {
          expected: error.expectedState as ClientExpectation,
          actual: error.actualState as ClientExpectation,
        }
      : undefined,
  isStreamNotFound: (error) => error instanceof StreamNotFoundError,
  dispose: () => client.dispose(),
})

/** KurrentDB (25+; the client also speaks to EventStoreDB 20+) through `@kurrent/kurrentdb-client` 1. */
export const kurrentDbEventStore = (options: KurrentDbOptions): EventStore =>
  grpcEventStore(kurrentDbDialect(KurrentDBClient.connectionString(options.connectionString)), options)
