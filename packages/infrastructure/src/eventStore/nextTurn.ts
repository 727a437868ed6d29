/**
 * Resolves on a later turn of the event loop, once the timers and I/O already due have run. Stores
 * that answer from memory or from a synchronous driver wait for it before a page of all events: a
 * loop over every page (a catch-up, an audit, a rebuild) then lets its process go on serving between
 * pages, as it would with a store across the network, instead of holding the loop until the last page.
 * An adapter of your own on a synchronous driver meets the port's contract for `readAll` with it.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
