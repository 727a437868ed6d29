import { describe, expect, it } from 'vitest'
import { lostServer } from '../src/commands/shared.js'

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name })

describe('a lost server, which a following worker waits out', () => {
  it('is a network or server-selection error, a refused connection, or what the driver labels for a new primary', () => {
    for (const error of [
      named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017'),
      named('MongoNetworkError'),
      named('MongoNetworkTimeoutError'),
      named('MongoPoolClearedError'),
      named('MongoTopologyClosedError'),
      Object.assign(named('MongoServerError', 'not primary'), { errorLabels: ['RetryableWriteError'] }),
      named('Error', '14 UNAVAILABLE: No connection established'),
      named('UnavailableError', ''),
    ])
      expect(lostServer(error)).toBe(true)
  })

  it('is not what a server answers about what it holds, nor anything else', () => {
    for (const error of [
      Object.assign(named('MongoServerError', 'E11000 duplicate key'), { errorLabels: [] }),
      Object.assign(named('MongoServerError', 'bad'), { errorLabels: 'RetryableWriteError' }),
      named('LeaseLostError', 'lost its lease'),
      named('ProjectionError', 'cannot project'),
      new TypeError('x is undefined'),
      undefined,
      null,
      'a string',
    ])
      expect(lostServer(error)).toBe(false)
  })
})
