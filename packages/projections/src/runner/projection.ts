import type { RecordedEvent } from '@property-services/infrastructure'
import type { Document } from '../readModelStore/port.js'

/** The read-model documents a projection may look at while projecting one event. */
export interface View {
  /** The document as of the previous event, or undefined when there is none. */
  readonly get: (collection: string, id: string) => Document | undefined
}

/** A change to the read model: the whole new document, or `null` to delete it. */
export interface Put {
  readonly collection: string
  readonly id: string
  readonly doc: Document | null
}

/**
 * A projection: a pure function from an event (and the documents it reads) to changes of the read
 * model. It never does I/O; the runner loads what it asks for, applies, batches and writes.
 * `collections` are logical names; the runner maps them to the physical collections of a generation.
 */
export interface Projection {
  readonly name: string
  readonly collections: readonly string[]
  readonly project: (recorded: RecordedEvent, view: View) => readonly Put[]
}

/** A put that changes a document, starting from `init` when it does not exist yet. */
export const update = <D extends Document>(
  view: View,
  collection: string,
  id: string,
  init: () => D,
  change: (doc: D) => D,
): Put => ({ collection, id, doc: change((view.get(collection, id) as D | undefined) ?? init()) })
