/** KurrentDB through `@kurrent/kurrentdb-client` 1 (the successor of `@eventstore/db-client`). */

import { refusingWhenClosed } from './closing.js'
import {
  type ClientExpectation,
  dialectOf,
  type GrpcClient,
  type GrpcStoreOptions,
  grpcEventStore,
} from './grpcEventStore.js'
import type { EventStore } from './port.js'

export interface KurrentDbOptions extends GrpcStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` (`esdb://` is still accepted by the client). */
  readonly connectionString: string
}

/**
 * KurrentDB (25+; the client also speaks to EventStoreDB 20+) through `@kurrent/kurrentdb-client` 1:
 * `streamState`, and refusals with `expectedState`/`actualState`.
 */
export const kurrentDbEventStore = (options: KurrentDbOptions): EventStore =>
  refusingWhenClosed(
    'KurrentDB',
    grpcEventStore(async () => {
      const {
        KurrentDBClient,
        excludeSystemEvents,
        jsonEvent,
        StreamNotFoundError,
        WrongExpectedVersionError,
      } = await import('@kurrent/kurrentdb-client')
      return dialectOf({
        server: 'KurrentDB',
        client: KurrentDBClient.connectionString(options.connectionString) as unknown as GrpcClient,
        jsonEvent,
        excludeSystemEvents,
        expectationOption: 'streamState',
        wrongExpected: (error) =>
          error instanceof WrongExpectedVersionError
            ? {
                expected: error.expectedState as ClientExpectation,
                actual: error.actualState as ClientExpectation,
              }
            : undefined,
        isStreamNotFound: (error) => error instanceof StreamNotFoundError,
      })
    }, options),
  )
