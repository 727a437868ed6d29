/** EventStoreDB through `@eventstore/db-client` 6 (EventStoreDB 20.10 and later). */

import { refusingWhenClosed } from './closing.js'
import {
  type ClientExpectation,
  dialectOf,
  type GrpcClient,
  type GrpcStoreOptions,
  grpcEventStore,
} from './grpcEventStore.js'
import type { EventStore } from './port.js'

export interface EventStoreDbOptions extends GrpcStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string
}

/**
 * EventStoreDB (20.10+) through `@eventstore/db-client` 6: `expectedRevision`, and refusals with
 * `expectedVersion`/`actualVersion`. For KurrentDB 25+, see `kurrentDbEventStore` (the same protocol,
 * the newer client).
 */
export const eventStoreDbEventStore = (options: EventStoreDbOptions): EventStore =>
  refusingWhenClosed(
    'EventStoreDB',
    grpcEventStore(async () => {
      const {
        EventStoreDBClient,
        excludeSystemEvents,
        jsonEvent,
        StreamNotFoundError,
        WrongExpectedVersionError,
      } = await import('@eventstore/db-client')
      return dialectOf({
        server: 'EventStoreDB',
        client: EventStoreDBClient.connectionString(options.connectionString) as unknown as GrpcClient,
        jsonEvent,
        excludeSystemEvents,
        expectationOption: 'expectedRevision',
        wrongExpected: (error) =>
          error instanceof WrongExpectedVersionError
            ? {
                expected: error.expectedVersion as ClientExpectation,
                actual: error.actualVersion as ClientExpectation,
              }
            : undefined,
        isStreamNotFound: (error) => error instanceof StreamNotFoundError,
      })
    }, options),
  )
