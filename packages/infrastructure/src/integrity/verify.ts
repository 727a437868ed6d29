/**
 * Checks stored history for tampering: every stream's hash chain, revisions without gaps and in the
 * order they were stored, and, given anchors exported earlier, the global order up to each anchor. The
 * first problem names its stream, revision and global position.
 */
import { createHash } from 'node:crypto'
import { boundedArray, type DecodeError, decodeWith, Int, refine, strict } from '@property-services/domain'
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import {
  comparePositions,
  type EventStore,
  type Position,
  positionFromString,
  positionToString,
  type StoredEvent,
} from '../eventStore/port.js'
import { canonicalJson } from './canonicalJson.js'
import { eventHash, storedHash } from './hashChain.js'

export type TamperingKind =
  /** The event's content does not match its hash and the hash before it. */
  | 'altered'
  /** Revisions skip: events were deleted before it (or one was inserted out of order). */
  | 'missing'
  /** A revision repeats or goes back: events were reordered or inserted. */
  | 'out-of-order'
  /** An event without a hash after hashed ones: its hash was removed. */
  | 'unchained'
  /** The global order up to an anchor is not what it was when the anchor was taken. */
  | 'anchor-mismatch'

export interface Tampering {
  readonly kind: TamperingKind
  readonly streamName: string
  readonly revision: number
  readonly position: string
  readonly detail: string
}

export interface Verification {
  readonly events: number
  readonly streams: number
  /** Events stored before hash chains: they cannot be checked, only counted. */
  readonly unchained: number
  /** The first problem of each broken stream, and of the anchors, in global order. */
  readonly problems: readonly Tampering[]
}

/** A digest of the global order up to a point, to be kept outside the store. */
export const Anchor = t.readonly(
  t.type({
    /** How many events it covers, from the first. */
    events: Int,
    position: refine('Position', t.string, (s) => /^\d{1,20}\/\d{1,20}$/.test(s)),
    digest: refine('Sha256', t.string, (s) => /^[0-9a-f]{64}$/.test(s)),
  }),
  'Anchor',
)
export type Anchor = t.TypeOf<typeof Anchor>

/** Anchors as exported by `takeAnchors` (and `property-services audit anchors`). */
export const Anchors = strict(
  t.readonly(
    t.type({ format: t.literal('property-services/anchors@1'), anchors: boundedArray(Anchor, 1_000_000) }),
  ),
  'Anchors',
)
export type Anchors = t.TypeOf<typeof Anchors>

/** Reads an anchors file's JSON, or says what is wrong with it and where. */
export const decodeAnchors: (input: unknown) => E.Either<DecodeError, Anchors> = decodeWith(
  Anchors,
  'anchors',
)

/** What an event contributes to the global digest: its hash, or a hash of its content if it has none. */
const digestOf = (event: StoredEvent): string =>
  storedHash(event) ??
  createHash('sha256')
    .update(canonicalJson({ type: event.type, data: event.data, metadata: event.metadata }))
    .digest('hex')

const nextDigest = (previous: string, event: StoredEvent): string =>
  createHash('sha256')
    .update(`${previous}|${event.streamName}|${event.revision}|${digestOf(event)}`)
    .digest('hex')

async function* everyEvent(store: EventStore): AsyncGenerator<StoredEvent> {
  for (let after: Position | undefined; ; ) {
    const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 })
    yield* page.events
    after = page.lastPosition
    if (page.isEnd) return
  }
}

/** Digests of the global order every `every` events and at the end, to export and keep elsewhere. */
export const takeAnchors = async (
  store: EventStore,
  options: { readonly every?: number } = {},
): Promise<Anchors> => {
  const every = options.every ?? 10_000
  const anchors: Anchor[] = []
  let digest = ''
  let count = 0
  let last: StoredEvent | undefined
  for await (const event of everyEvent(store)) {
    digest = nextDigest(digest, event)
    count++
    last = event
    if (count % every === 0)
      anchors.push({ events: count, position: positionToString(event.position), digest })
  }
  if (last !== undefined && count % every !== 0)
    anchors.push({ events: count, position: positionToString(last.position), digest })
  return { format: 'property-services/anchors@1', anchors }
}

interface StreamCursor {
  revision: number
  hash: string | null
  chained: boolean
  broken: boolean
}

/** Verifies every stream's chain, and the global order against `anchors` when given. */
export const verifyHistory = async (
  store: EventStore,
  options: { readonly anchors?: Anchors } = {},
): Promise<Verification> => {
  const streams = new Map<string, StreamCursor>()
  const problems: Tampering[] = []
  const anchors = [...(options.anchors?.anchors ?? [])].sort((a, b) => a.events - b.events)
  let anchorBroken = false
  let digest = ''
  let events = 0
  let unchained = 0
  const report = (kind: TamperingKind, event: StoredEvent, detail: string) =>
    problems.push({
      kind,
      streamName: event.streamName,
      revision: event.revision,
      position: positionToString(event.position),
      detail,
    })

  for await (const event of everyEvent(store)) {
    events++
    if (anchors.length > 0 && !anchorBroken) {
      digest = nextDigest(digest, event)
      const anchor = anchors[0] as Anchor
      if (anchor.events === events) {
        anchors.shift()
        if (anchor.digest !== digest) {
          anchorBroken = true
          report(
            'anchor-mismatch',
            event,
            `history up to event ${events} differs from the anchor taken at position ${anchor.position}`,
          )
        }
      }
    }
    let cursor = streams.get(event.streamName)
    if (cursor === undefined) {
      cursor = { revision: -1, hash: null, chained: false, broken: false }
      streams.set(event.streamName, cursor)
    }
    if (cursor.broken) continue
    const hash = storedHash(event)
    if (event.revision !== cursor.revision + 1) {
      cursor.broken = true
      if (event.revision > cursor.revision + 1)
        report('missing', event, `revision ${cursor.revision + 1} to ${event.revision - 1} missing before it`)
      else report('out-of-order', event, `revision ${event.revision} comes after revision ${cursor.revision}`)
      continue
    }
    cursor.revision = event.revision
    if (hash === undefined) {
      if (cursor.chained) {
        cursor.broken = true
        report('unchained', event, 'no hash, after hashed events of its stream')
      } else unchained++
      continue
    }
    if (eventHash(event, cursor.hash) !== hash) {
      cursor.broken = true
      report('altered', event, 'its content or the event before it is not what its hash says')
      continue
    }
    cursor.chained = true
    cursor.hash = hash
  }
  if (!anchorBroken && anchors.length > 0) {
    const missing = anchors[0] as Anchor
    problems.push({
      kind: 'anchor-mismatch',
      streamName: '',
      revision: -1,
      position: missing.position,
      detail: `the anchor at event ${missing.events} covers more events than are stored (${events}): events were deleted`,
    })
  }
  problems.sort((a, b) => comparePositions(positionFromString(a.position), positionFromString(b.position)))
  return { events, streams: streams.size, unchained, problems }
}
