import type { RecordedEvent } from '@property-services/infrastructure'
import type { Document } from '../readModelStore/port.js'

/** The documents of each logical collection of a read model, by collection name. */
export type Collections = { readonly [collection: string]: Document }

/** The read-model documents a projection may look at while projecting one event. */
export interface View<C extends Collections = Collections> {
  /** The document as of the previous event, or undefined when there is none. */
  readonly get: <K extends keyof C & string>(collection: K, id: string) => C[K] | undefined
}

/** A change to the read model: the whole new document, or `null` to delete it. */
export interface Put {
  readonly collection: string
  readonly id: string
  readonly doc: Document | null
}

/**
 * A commutative change: add `by` to counters of a document, creating it from `onInsert` (and zeros)
 * when absent. The runner sums the increments of a batch per document and writes each document once,
 * without reading it. A projection never reads or replaces a document it increments, in either order
 * within a batch (the runner refuses it): counters are for queries.
 */
export interface Increment {
  readonly collection: string
  readonly id: string
  readonly by: { readonly [field: string]: number }
  readonly onInsert: { readonly [field: string]: unknown }
}

export type Change = Put | Increment

export const isIncrement = (change: Change): change is Increment => 'by' in change

/**
 * A projection: a pure function from an event (and the documents it reads) to changes of the read
 * model. It never does I/O; the runner loads what it asks for, applies, batches and writes.
 * `collections` are logical names; the runner maps them to the physical collections of a generation.
 * (Methods, not function fields, so that a projection of specific collections is a `Projection`.)
 */
export interface Projection<C extends Collections = Collections> {
  readonly name: string
  readonly collections: readonly string[]
  /** The event types it projects; the runner hands it no others (and decodes no others for it). */
  readonly canHandle: readonly string[]
  project(recorded: RecordedEvent, view: View<C>): readonly Change[]
  /**
   * The documents projecting this event reads or replaces. The runner asks for the whole batch, loads
   * the answers in one request per collection, and asks again with them in the view while new ones come
   * (reads that chain through documents: a complaint, then its owner's history), at most four rounds.
   * Whatever it misses is loaded one by one when projecting asks for it. Without it, the runner finds
   * them by trial runs of the batch.
   */
  prefetch?(recorded: RecordedEvent, view: View<C>): ReadonlyArray<readonly [collection: string, id: string]>
}
