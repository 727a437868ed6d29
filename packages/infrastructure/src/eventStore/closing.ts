import { Observable } from 'rxjs'
import { EventStoreClosedError } from './errors.js'
import type { EventStore } from './port.js'

/**
 * `store`, refusing every call after `close()` with {@link EventStoreClosedError}, the same on every
 * adapter (a closed SQLite file failed in its driver, and the in-memory store went on answering).
 * `close()` again does nothing more. Every adapter returns its store through this.
 */
export const refusingWhenClosed = (name: string, store: EventStore): EventStore => {
  let closed = false
  const open = (operation: string) => {
    if (closed) throw new EventStoreClosedError(name, operation)
  }
  return {
    appendToStream: async (...args) => {
      open('appendToStream')
      return store.appendToStream(...args)
    },
    readStream: async (...args) => {
      open('readStream')
      return store.readStream(...args)
    },
    readAll: async (...args) => {
      open('readAll')
      return store.readAll(...args)
    },
    subscribeToAll: (...args) =>
      closed
        ? new Observable((subscriber) => subscriber.error(new EventStoreClosedError(name, 'subscribeToAll')))
        : store.subscribeToAll(...args),
    redact: async (...args) => {
      open('redact')
      return store.redact(...args)
    },
    countAfter: async (...args) => {
      open('countAfter')
      return store.countAfter(...args)
    },
    close: async () => {
      if (closed) return
      closed = true
      await store.close()
    },
  }
}
