/**
 * Catch-up and live: reads the log once for a group of projections, decodes each event once, and
 * hands every projection its part of each batch. Each projection keeps its own checkpoint and lease
 * (see checkpoint.ts), so the group may start from different places and may be regrouped at will.
 */
import { randomUUID } from 'node:crypto'
import {
  comparePositions,
  serde as defaultSerde,
  type EventStore,
  inSpan,
  nextTurn,
  observeProjectionLag,
  type Position,
  positionFromString,
  positionToString,
  type ReadAllFilter,
  type Serde,
  type StoredEvent,
} from '@property-services/infrastructure'
import type { Subscription } from 'rxjs'
import type { ReadModelCollection, ReadModelStore, WriteOperation } from '../readModelStore/port.js'
import { type BatchEvent, projectBatch } from './batch.js'
import {
  batchStamp,
  type CheckpointHandle,
  checkpointOf,
  firstEventIdOf,
  LeaseHeldError,
  LeaseLostError,
  partitionCheckpoints,
  restoreBeforeImages,
} from './checkpoint.js'
import { type RunnerDocuments, runnerDocuments } from './documents.js'
import { checkpointsCollection, currentGeneration, physicalName, readersGeneration } from './generations.js'
import {
  checkedPartitions,
  communityOfMetadata,
  communityOfStored,
  type Partitions,
  partitionCountOf,
  partitionedName,
  partitionOf,
} from './partitions.js'
import type { Increment, Projection } from './projection.js'
import { type PoisonPolicy, type QuarantinedEvent, quarantineCollection, quarantineId } from './quarantine.js'
import { oneRunAtATime } from './runs.js'

/** A projection stopped on an event it cannot handle. Its checkpoint stays before that event. */
export class ProjectionError extends Error {
  readonly code = 'ProjectionFailed'
  constructor(
    readonly projection: string,
    readonly streamName: string,
    readonly revision: number,
    readonly eventType: string,
    readonly position: string,
    readonly reason: unknown,
  ) {
    super(
      `projection ${projection} stopped at ${streamName} revision ${revision} (${eventType}, position ${position}): ${
        reason instanceof Error ? reason.message : String(reason)
      }`,
    )
    this.name = 'ProjectionError'
  }
}

/**
 * A runner asked to write a generation that was written under another partitioning: without partitions
 * where workers wrote it by partition, or the reverse, or with another number of partitions. Its
 * counters would be counted twice; the partitioning of a generation is fixed (see docs/scaling.md).
 */
export class PartitioningMismatchError extends Error {
  readonly code = 'ProjectionPartitioningMismatch'
  constructor(
    readonly projection: string,
    readonly generation: number,
    /** How the generation was written, e.g. `by partitions of 4` or `whole`. */
    readonly writtenAs: string,
    /** How this runner would write it. */
    readonly runnerAs: string,
  ) {
    super(
      `generation ${generation} of ${projection} was written ${writtenAs}, and this runner writes it ${runnerAs}: rebuild it to change the partitioning`,
    )
    this.name = 'PartitioningMismatchError'
  }
}

export { RunnerBusyError } from './runs.js'

export interface Progress {
  readonly projection: string
  /** The partition, for a runner with a share of the communities. */
  readonly partition?: number
  readonly eventsProcessed: number
  readonly eventsPerSecond: number
  /**
   * Events stored after the checkpoint: 0 after the last page of the log; otherwise counted once per
   * catch-up and worked down by what was read since, so events stored meanwhile show when the count is
   * taken again (the lag gauge of the telemetry counts them each time it is read).
   */
  readonly lagEvents: number
  /** Events set aside under the `quarantine` policy by this runner so far. */
  readonly quarantined: number
  readonly position: string | null
}

/**
 * Events per batch unless a runner is told otherwise. Each batch costs a few requests per collection
 * whatever its size (a lookup, a delete, an insert), and on a store whose lookups scan (FerretDB 1.24
 * on SQLite) each of those costs as much as the collection is large: fewer, larger batches are what a
 * rebuild into it runs at (measured: batches of 1,000 against 5,000, 922 against 1,944-2,626 events/s).
 * The runner holds one batch, so memory stays a batch's working set.
 */
export const defaultBatchSize = 5_000

/** What every runner is given, whichever projections it runs. */
export interface RunnerBaseOptions {
  readonly events: EventStore
  readonly readModels: ReadModelStore
  /**
   * Events read per batch; default {@link defaultBatchSize}. A runner that falls behind catches up in
   * batches this size.
   */
  readonly batchSize?: number
  /**
   * Which generation of the read models to write: one for all, or one per projection name; default
   * the one readers currently use.
   */
  readonly generation?: number | Readonly<Record<string, number>>
  readonly serde?: Serde
  /**
   * What to do with a stored event that cannot be decoded or projected: `stop` (default) rejects with a
   * {@link ProjectionError} and keeps the checkpoint before it; `quarantine` records it in the
   * `projection_quarantine` collection (see `quarantinedEvents`), reports it through progress, and goes on.
   */
  readonly onPoison?: PoisonPolicy
  /** Called after every batch, per projection; a returned promise is awaited before the next batch. */
  readonly onProgress?: (progress: Progress) => void | Promise<void>
  /**
   * This runner's name in its leases. A runner restarting under the same name takes its leases back at
   * once; under another name it waits for them to expire. Default: a random id per runner.
   */
  readonly owner?: string
  /** How long a lease lasts without a checkpoint write; default 30 s. Live runners renew it. */
  readonly leaseTtlMs?: number
  /**
   * `rebuild`: the generation is being rebuilt and is thrown away if the rebuild is interrupted (see
   * rebuild.ts), so a batch needs no crash protocol: its checkpoint is written only when the lease needs
   * renewing and at the log's end. Default `resumable`: every batch can be resumed after a crash.
   */
  readonly checkpoints?: 'resumable' | 'rebuild'
  /**
   * In a rebuild (`checkpoints: 'rebuild'`), how many changed documents and counters a projection may
   * hold before it writes them; default 5,000. A document changed in several batches is then written
   * once, a counter added to in several batches once with their sum, and everything held is written
   * before each checkpoint. Ignored when resumable: each batch is written whole before the next.
   */
  readonly writeBehind?: number
  /**
   * This runner's share of the communities: partitions `owned` of `count` (see partitions.ts). It then
   * projects only their events, with a checkpoint and a lease per projection and partition, so that
   * workers sharing the partitions write into the same read models side by side. Default: everything.
   */
  readonly partitions?: Partitions
}

export type RunnerOptions = RunnerBaseOptions &
  ({ readonly projection: Projection } | { readonly projections: readonly Projection[] })

interface Member {
  readonly projection: Projection
  /** The partition it projects, when the runner has a share. */
  readonly partition: number | undefined
  readonly handles: ReadonlySet<string>
  readonly checkpoint: CheckpointHandle
  readonly generation: number
  position: Position | undefined
  processed: number
  quarantined: number
  /** What it knows of its documents without asking the store (and what a rebuild holds unwritten). */
  readonly documents: RunnerDocuments
}

/** How many changed documents a rebuild holds per projection before writing them (see `writeBehind`). */
const defaultWriteBehind = 5_000

/** An event decoded for the group, or why it could not be. */
type Decoded = BatchEvent | { readonly stored: StoredEvent; readonly error: unknown }

const after = (a: Position, b: Position | undefined) => b === undefined || comparePositions(a, b) > 0

/**
 * Runs projections over the event store with an exactly-once effect over at-least-once delivery; see
 * checkpoint.ts for the write protocol. Replaying from zero, resuming after any crash, any batch size
 * and any grouping of projections all give the read models of one clean pass.
 *
 * Before it writes, the runner takes each projection's lease: `catchUp` rejects with
 * {@link LeaseHeldError} when another runner holds one; `start` waits for it, as a standby.
 */
export const projectionRunner = (options: RunnerOptions) => {
  const { events, readModels } = options
  const projections = 'projections' in options ? options.projections : [options.projection]
  const batchSize = options.batchSize ?? defaultBatchSize
  const codec = options.serde ?? defaultSerde()
  const onPoison = options.onPoison ?? 'stop'
  const ttlMs = options.leaseTtlMs ?? 30_000
  // A zero or negative lease would make the renewal timer spin, a zero batch read nothing for ever.
  if (!Number.isFinite(ttlMs) || ttlMs < 100)
    throw new RangeError(`leaseTtlMs must be at least 100 (ms), got ${ttlMs}`)
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`)
  const writeBehind = options.writeBehind ?? defaultWriteBehind
  if (!Number.isInteger(writeBehind) || writeBehind < 0)
    throw new RangeError(`writeBehind must be a whole number, got ${writeBehind}`)
  const owner = options.owner ?? randomUUID()
  const handled: ReadonlySet<string> = new Set(projections.flatMap((p) => p.canHandle))
  const partitions = options.partitions === undefined ? undefined : checkedPartitions(options.partitions)
  const owned: ReadonlySet<number> = new Set(partitions?.owned ?? [])
  const partitionOfStored = (stored: StoredEvent) =>
    partitions === undefined ? undefined : partitionOf(communityOfStored(stored), partitions.count)
  // What the group reads, for stores that can leave the rest out unparsed (decodeAll checks again).
  const wanted: ReadAllFilter = {
    types: handled,
    ...(partitions === undefined
      ? {}
      : { metadata: (m: unknown) => owned.has(partitionOf(communityOfMetadata(m), partitions.count)) }),
  }
  const started = performance.now()
  let members: Member[] | undefined
  // Whether this runner holds the leases of `members` now (a finished catch-up gives them up).
  let leased = false
  // A second run would share the leases above and write unfenced beside the first.
  const runs = oneRunAtATime(projections)

  const physical = (member: Member, collection: string) =>
    readModels.collection(physicalName(member.projection.name, collection, member.generation))

  const failure = (member: Member, stored: StoredEvent, error: unknown) =>
    new ProjectionError(
      member.projection.name,
      stored.streamName,
      stored.revision,
      stored.type,
      positionToString(stored.position),
      error,
    )

  const quarantineEntry = (member: Member, stored: StoredEvent, error: ProjectionError): QuarantinedEvent => {
    const position = positionToString(stored.position)
    return {
      _id: quarantineId(member.projection.name, member.generation, position),
      projection: member.projection.name,
      generation: member.generation,
      position,
      streamName: stored.streamName,
      revision: stored.revision,
      eventType: stored.type,
      eventId: stored.eventId,
      error: error.message.slice(0, 2_000),
    }
  }

  /**
   * One projection's part of a batch that ends at `end`: its events (decoded, or failed to decode),
   * written with the three-step protocol. `replay` is set when the batch is the one a crash interrupted.
   */
  const writeBatch = async (member: Member, batch: readonly Decoded[], end: Position, replay: boolean) => {
    // Nothing of this projection's (or partition's) in the batch: the checkpoint may stay behind, as
    // reading the batch again would find nothing either; it moves with the next batch that has
    // something, when the lease needs renewing, or when the log's end is reached (see `settle`).
    if (batch.length === 0 && !replay && leaseFresh(member)) {
      member.position = end
      return
    }
    const quarantine: QuarantinedEvent[] = []
    const fail = (stored: StoredEvent, error: unknown) => {
      const stopped = failure(member, stored, error)
      if (onPoison === 'stop') throw stopped
      quarantine.push(quarantineEntry(member, stored, stopped))
    }
    const rebuilding = options.checkpoints === 'rebuild'
    let projected: Awaited<ReturnType<typeof projectBatch>>
    try {
      const decoded: BatchEvent[] = []
      for (const item of batch) {
        if ('recorded' in item) decoded.push(item)
        else fail(item.stored, item.error)
      }
      projected = await projectBatch(
        member.projection,
        decoded,
        member.documents.load,
        (event, error) => fail(event.stored, error),
        readModels.incrementsInPlace,
        member.documents.peek,
      )
    } catch (error) {
      // Stopped before this batch wrote anything: step (3) of the batch before, which waited for this
      // one, is written, so that the checkpoint is left right after what was written.
      if (!rebuilding) await settle([member]).catch(() => undefined)
      throw error
    }
    const endText = positionToString(end)
    const stamp = batchStamp(end)
    // Step (1) also stands for step (3) of this projection's batch before, and moves the checkpoint over
    // the batches since with nothing for it.
    if (!rebuilding && (projected.before.length > 0 || projected.increments.size > 0))
      await member.checkpoint.begin(
        endText,
        projected.before,
        member.position === undefined ? null : positionToString(member.position),
      )
    // Quarantine entries are keyed by position: a batch replayed after a crash rewrites the same ones.
    if (quarantine.length > 0)
      await readModels.collection(quarantineCollection).write(quarantine.map((doc) => ({ kind: 'put', doc })))
    if (rebuilding) {
      // A rebuild's generation is seen by no reader and thrown away by a crash: its writes may wait.
      member.documents.holdUnwritten(projected.replacements)
      member.documents.holdIncrements(projected.increments, stamp)
    } else {
      for (const [collection, ops] of projected.replacements) await physical(member, collection).write(ops)
      for (const [collection, increments] of projected.increments)
        await writeIncrements(physical(member, collection), increments, stamp, replay)
    }
    member.documents.remember(projected)
    if (member.documents.unwrittenCount() > writeBehind) await member.documents.writeUnwritten()
    // Step (3) waits for the next batch's step (1), or for `settle`, unless the lease needs renewing. A
    // rebuild writes no step (1): its checkpoint moves when the lease needs renewing and at the end.
    if (!leaseFresh(member)) {
      await member.documents.writeUnwritten()
      await member.checkpoint.commit(endText)
    }
    member.position = end
    member.quarantined += quarantine.length
  }

  /**
   * Adds a batch's increments to one collection's counters, stamped with the batch. `replay`: the batch
   * a crash interrupted, whose increments that landed before the crash are stamped with it already.
   */
  const writeIncrements = async (
    target: ReadModelCollection,
    increments: ReadonlyArray<Omit<Increment, 'collection'>>,
    stamp: string,
    replay: boolean,
  ) => {
    let pending = increments
    if (replay) {
      const done = new Set<string>()
      for (let i = 0; i < pending.length; i += 1_000) {
        const ids = pending.slice(i, i + 1_000).map((inc) => inc.id)
        for (const doc of await target.find({ _id: { $in: ids }, _batch: { $gte: stamp } })) done.add(doc._id)
      }
      pending = pending.filter((inc) => !done.has(inc.id))
    }
    await target.write(pending.map((inc): WriteOperation => ({ kind: 'increment', ...inc, batch: stamp })))
  }

  /** Whether the lease has two thirds of its time left: no need to renew it yet. */
  const leaseFresh = (member: Member) => {
    const stored = member.checkpoint.stored
    return stored !== undefined && (stored.lease?.expiresAt ?? 0) - Date.now() > (ttlMs * 2) / 3
  }

  /**
   * Writes the checkpoints that stayed behind their projection's position: batches with nothing for it,
   * and the step (3) that waits for the projection's next batch.
   */
  const settle = async (group: readonly Member[]) => {
    for (const member of group) {
      await member.documents.writeUnwritten()
      if (member.position === undefined) continue
      const position = positionToString(member.position)
      const stored = member.checkpoint.stored
      if (stored?.pending != null) {
        // A batch that failed part-way keeps its undo record: the projection's position moves past a
        // batch only once it is written whole.
        if (comparePositions(positionFromString(stored.pending.position), member.position) > 0) continue
        await member.checkpoint.commit(position)
      } else if (stored?.position !== position) await member.checkpoint.commit(position)
    }
  }

  /**
   * Whether `error` is a lease the runner lost because a rebuild retired its generation: readers were
   * switched to a newer one, and the old one was dropped with its checkpoints. Then, when the runner was
   * given no generation and the rebuild left its checkpoint in the new generation, its leases are let go
   * so that it goes on there, from where the rebuild left off; what it wrote into the retired generation
   * after the drop is dropped again.
   */
  const movedOn = async (error: unknown): Promise<boolean> => {
    if (!(error instanceof LeaseLostError) || options.generation !== undefined || members === undefined)
      return false
    const retired: Member[] = []
    for (const member of members) {
      const generation = await currentGeneration(readModels, member.projection.name)
      if (generation <= member.generation) continue
      const [checkpoint] = await readModels
        .collection(checkpointsCollection)
        .findByIds([`${checkpointNameOf(member.projection, member.partition)}_g${generation}`])
      // A generation rebuilt from other partitions, or not written at all: this runner cannot resume it.
      if (checkpoint?.position == null) return false
      retired.push(member)
    }
    if (retired.length === 0) return false
    for (const member of retired)
      for (const collection of member.projection.collections) await physical(member, collection).drop()
    for (const member of members) await member.checkpoint.release().catch(() => undefined)
    members = undefined
    leased = false
    return true
  }

  /**
   * Decodes once what some projection of the group handles (a failure is kept for each projection),
   * by partition: the runner's own partitions' events only, each community hashed once.
   */
  const decodeAll = (stored: readonly StoredEvent[]): Map<number | undefined, Decoded[]> => {
    const byPartition = new Map<number | undefined, Decoded[]>()
    for (const s of stored) {
      if (!handled.has(s.type)) continue
      const partition = partitionOfStored(s)
      // Another worker's communities: not even decoded.
      if (partition !== undefined && !owned.has(partition)) continue
      let item: Decoded
      try {
        // Read models hold no personal data: projections see it sealed, as erased.
        item = { stored: s, recorded: codec.decode(s, { personalData: false }) }
      } catch (error) {
        item = { stored: s, error }
      }
      const part = byPartition.get(partition)
      if (part === undefined) byPartition.set(partition, [item])
      else part.push(item)
    }
    return byPartition
  }

  const partFor = (member: Member, decoded: ReadonlyMap<number | undefined, readonly Decoded[]>) => {
    const part = decoded.get(member.partition) ?? []
    // In order: when the first is past the checkpoint, so is the rest.
    const allAfter = part.length === 0 || after(part[0]!.stored.position, member.position)
    return part.filter(
      (item) =>
        member.handles.has(item.stored.type) && (allAfter || after(item.stored.position, member.position)),
    )
  }

  const checkpointNameOf = (projection: Projection, partition: number | undefined) =>
    partition === undefined || partitions === undefined
      ? projection.name
      : partitionedName(projection.name, partition, partitions.count)

  /** Refuses a generation whose checkpoints show it written under another partitioning than this runner's. */
  const refuseOtherPartitioning = async (projection: Projection, generation: number) => {
    const runnerAs = partitions === undefined ? 'whole' : `by partitions of ${partitions.count}`
    const other = (await partitionCheckpoints(readModels, projection.name, generation)).find(
      (doc) => doc.position != null && partitionCountOf(doc._id) !== partitions?.count,
    )
    if (other !== undefined)
      throw new PartitioningMismatchError(
        projection.name,
        generation,
        `by partitions of ${partitionCountOf(other._id) ?? '?'}`,
        runnerAs,
      )
    if (partitions === undefined) return
    const [whole] = await readModels
      .collection(checkpointsCollection)
      .findByIds([`${projection.name}_g${generation}`])
    if (whole?.position != null)
      throw new PartitioningMismatchError(projection.name, generation, 'whole', runnerAs)
  }

  /** Takes the leases, and finishes any batch a crash interrupted, projection by projection. */
  const recover = async (): Promise<Member[]> => {
    if (leased && members !== undefined) return members
    const joined: Member[] = []
    // Which log this is, by its first event: read models built from another are refused.
    const firstEventId = await firstEventIdOf(events)
    try {
      for (const projection of projections)
        for (const partition of partitions?.owned ?? [undefined])
          joined.push(await join(projection, partition, firstEventId))
    } catch (error) {
      // Leave no lease half-taken: a standby retries them all.
      for (const member of joined) await member.checkpoint.release().catch(() => undefined)
      throw error
    }
    members = joined
    leased = true
    return joined
  }

  /** Takes one projection's lease, and finishes the batch a crash interrupted, if any. */
  const join = async (
    projection: Projection,
    partition: number | undefined,
    firstEventId: string | undefined,
  ): Promise<Member> => {
    const chosen =
      typeof options.generation === 'number' ? options.generation : options.generation?.[projection.name]
    const generation = chosen ?? (await readersGeneration(readModels, projection.name))
    await refuseOtherPartitioning(projection, generation)
    const checkpoint = checkpointOf(readModels, checkpointNameOf(projection, partition), generation, {
      owner,
      ttlMs,
      log: { firstEventId },
    })
    const stored = await checkpoint.acquire()
    const member: Member = {
      projection,
      partition,
      handles: new Set(projection.canHandle),
      checkpoint,
      generation,
      position: stored.position === null ? undefined : positionFromString(stored.position),
      processed: 0,
      quarantined: 0,
      documents: runnerDocuments({
        collection: (name) => readModels.collection(physicalName(projection.name, name, generation)),
        fromNothing: stored.position === null && stored.pending === null,
      }),
    }
    if (stored.pending !== null) {
      await restoreBeforeImages(stored.pending.before, (collection, ops) =>
        physical(member, collection).write(ops),
      )
      // Replay exactly the interrupted batch: its increments are stamped with its end.
      const end = positionFromString(stored.pending.position)
      const replayed: StoredEvent[] = []
      let from = member.position
      for (;;) {
        const page = await events.readAll(
          from === undefined ? { maxCount: batchSize } : { after: from, maxCount: batchSize },
        )
        for (const s of page.events) if (comparePositions(s.position, end) <= 0) replayed.push(s)
        from = page.lastPosition ?? from
        if (page.isEnd || from === undefined || comparePositions(from, end) >= 0) break
      }
      await writeBatch(member, partFor(member, decodeAll(replayed)), end, true)
      member.processed += replayed.length
    }
    return member
  }

  const report = async (member: Member, lagEvents: number) => {
    if (options.onProgress === undefined) return
    const seconds = (performance.now() - started) / 1000
    await options.onProgress({
      projection: member.projection.name,
      ...(member.partition === undefined ? {} : { partition: member.partition }),
      eventsProcessed: member.processed,
      eventsPerSecond: seconds > 0 ? member.processed / seconds : 0,
      lagEvents,
      quarantined: member.quarantined,
      position: member.position === undefined ? null : positionToString(member.position),
    })
  }

  /** Where the group reads from: the earliest checkpoint (undefined: from the first event). */
  const readFrom = (group: readonly Member[]): Position | undefined => {
    let earliest = group[0]?.position
    for (const member of group) {
      if (member.position === undefined) return undefined
      if (earliest !== undefined && comparePositions(member.position, earliest) < 0)
        earliest = member.position
    }
    return earliest
  }

  /**
   * Reads and projects to the log's end. `settleAtEnd` writes the checkpoints left behind (see
   * `settle`); a live runner leaves that until no new event is waiting (see `start`): under a steady
   * load, each projection writes one checkpoint per batch it writes, and a read model the load leaves
   * alone writes one only when its lease needs renewing.
   */
  const follow = async (shouldStop: () => boolean, settleAtEnd = true): Promise<void> => {
    const group = await recover()
    let from = readFrom(group)
    // The events stored after the last page read, for progress reports: none after the last page;
    // otherwise counted once and then worked down by what each page reads, and counted again only when
    // that runs out before the end. Counting is a scan of what is left (SQLite takes half a second for
    // two million events), so counting it per batch and projection made a long rebuild crawl.
    let storedAfter: number | undefined
    while (!shouldStop()) {
      const page = await events.readAll(
        from === undefined
          ? { maxCount: batchSize, only: wanted }
          : { after: from, maxCount: batchSize, only: wanted },
      )
      const scanned = page.scanned ?? page.events.length
      // A page whose events were all left out still ends a batch, so that checkpoints move on.
      const end =
        page.scanned !== undefined && page.scanned > 0 ? page.lastPosition : page.events.at(-1)?.position
      if (storedAfter !== undefined) storedAfter -= scanned
      const lagAfterPage = async (): Promise<number> => {
        if (page.isEnd || end === undefined) return 0
        if (storedAfter === undefined || storedAfter <= 0) storedAfter = await events.countAfter(end)
        return storedAfter
      }
      if (end !== undefined) {
        // Reading a page and decoding it are each tens of milliseconds at thousands of events: not at one go.
        await nextTurn()
        const decoded = decodeAll(page.events)
        // One projection after the other: FerretDB 1.24 has been seen to stall for good when a runner
        // wrote its read models side by side. Each is reported as soon as its part is written.
        let projectedOne = false
        for (const member of group) {
          if (!after(end, member.position)) continue
          // Between projections the process serves what is due, as between pages (see `nextTurn`): a
          // batch of every read model in memory is a few hundred milliseconds of work.
          if (projectedOne) await nextTurn()
          projectedOne = true
          // Every event read past the checkpoint counts as processed, handled or not: all of the page
          // for a member whose checkpoint is where the reading started (every member, but after a
          // crash); otherwise those after its checkpoint among the events the store returned.
          const fresh =
            member.position === undefined ||
            (from !== undefined && comparePositions(member.position, from) <= 0)
              ? scanned
              : page.events.filter((e) => after(e.position, member.position)).length
          await inSpan(
            'property_services.project',
            { projection: member.projection.name, 'events.count': fresh, 'batch.end': positionToString(end) },
            () => writeBatch(member, partFor(member, decoded), end, false),
          )
          member.processed += fresh
          if (options.onProgress !== undefined) await report(member, await lagAfterPage())
        }
      }
      // A page of nothing but skipped events (EventStoreDB system events) still moves the reading on.
      from = page.lastPosition ?? from
      if (page.isEnd) {
        if (settleAtEnd) await settle(group)
        return
      }
    }
  }

  /** Reports each projection's lag to the lag gauge while `work` runs (only a metrics reader asks). */
  const observed = async <T>(work: () => Promise<T>): Promise<T> => {
    const stops = projections.map((projection) =>
      observeProjectionLag(projection.name, async () => {
        const member = members?.find((m) => m.projection === projection)
        return events.countAfter(member?.position)
      }),
    )
    try {
      return await work()
    } finally {
      for (const stop of stops) stop()
    }
  }

  /** Processes every stored event after the checkpoints, in batches, gives up the leases, and returns. */
  const catchUp = async (): Promise<void> => {
    runs.claim('catchUp')
    try {
      await observed(() => follow(() => false))
    } finally {
      // Best effort: a runner that cannot give its leases up leaves them to expire.
      if (leased) for (const member of members ?? []) await member.checkpoint.release().catch(() => undefined)
      leased = false
      runs.release()
    }
  }

  /**
   * Catches up, then follows new events until stopped. New events only wake the runner: it reads them
   * from the store, so a runner that falls behind catches up in full batches. Throws
   * {@link RunnerBusyError} while the runner runs already (until `stop()` has returned).
   */
  const start = () => {
    runs.claim('start')
    let subscription: Subscription | undefined
    let renewal: ReturnType<typeof setInterval> | undefined
    let stopped = false
    let wanted = false
    // The catch-up being written, if any: stopping waits for it, so a stopped runner writes nothing more.
    let pulling: Promise<void> | undefined
    let fail: (error: unknown) => void = () => undefined
    let finish: () => void = () => undefined
    const done = new Promise<void>((resolve, reject) => {
      fail = (error) => {
        stopped = true
        subscription?.unsubscribe()
        clearInterval(renewal)
        reject(error)
      }
      finish = resolve
    })
    const pull = () => {
      wanted = true
      if (pulling !== undefined || stopped) return
      pulling = (async () => {
        while (wanted && !stopped) {
          wanted = false
          try {
            await follow(() => stopped, false)
            // Nothing new came in while following: the runner goes idle with its checkpoints written.
            if (!wanted && !stopped) await settle(members ?? [])
          } catch (error) {
            if (await movedOn(error)) wanted = true
            else if (error instanceof LeaseHeldError && !leased && !stopped) {
              // Moved on, and another runner took the new generation first: stand by, as `start` does.
              await new Promise((resolve) => setTimeout(resolve, Math.min(ttlMs / 3, 1_000)))
              wanted = true
            } else throw error
          }
        }
      })()
        .catch(fail)
        .finally(() => {
          pulling = undefined
        })
    }
    const stopObserving = projections.map((projection) =>
      observeProjectionLag(projection.name, async () =>
        events.countAfter(members?.find((m) => m.projection === projection)?.position),
      ),
    )
    done
      .finally(() => {
        for (const stop of stopObserving) stop()
      })
      .catch(() => undefined)
    const following = (async () => {
      // A standby: wait for the leases while another runner holds them.
      for (;;) {
        try {
          await recover()
          break
        } catch (error) {
          if (!(error instanceof LeaseHeldError) || stopped) throw error
          await new Promise((resolve) => setTimeout(resolve, Math.min(ttlMs / 3, 1_000)))
          if (stopped) return
        }
      }
      for (;;) {
        try {
          await follow(() => stopped)
          break
        } catch (error) {
          if (!(await movedOn(error))) throw error
        }
      }
      if (stopped) return
      renewal = setInterval(() => {
        if (pulling === undefined && !stopped) {
          pulling = Promise.all((members ?? []).map((m) => m.checkpoint.renew()))
            .then(() => undefined)
            .catch(async (error: unknown) => {
              if (await movedOn(error)) wanted = true
              else fail(error)
            })
            .finally(() => {
              pulling = undefined
              if (wanted) pull()
            })
        }
      }, ttlMs / 3)
      const from = readFrom(members ?? [])
      subscription = events.subscribeToAll(from === undefined ? {} : { after: from }).subscribe({
        next: pull,
        error: fail,
        complete: () => finish(),
      })
    })().catch(fail)
    // Stopping twice stops once: a second call must not touch the leases of a run started since.
    let stopping: Promise<void> | undefined
    const stopOnce = async () => {
      stopped = true
      subscription?.unsubscribe()
      clearInterval(renewal)
      await following
      await pulling
      try {
        if (leased) {
          // The checkpoints a batch left behind, then the leases: a runner that lost a lease writes nothing.
          for (const member of members ?? [])
            await settle([member]).catch((error) => {
              if (!(error instanceof LeaseLostError)) throw error
            })
          for (const member of members ?? []) await member.checkpoint.release()
        }
      } finally {
        // Nothing of this run writes any more: the runner may run again.
        leased = false
        runs.release()
      }
      finish()
      await done.catch(() => undefined)
    }
    return {
      done,
      /**
       * Stops following, waits for the batch being written (if any), and gives up the leases; then the
       * runner may run again. Calling it again answers the same promise.
       */
      stop: (): Promise<void> => {
        stopping ??= stopOnce()
        return stopping
      },
    }
  }

  return {
    catchUp,
    start,
    /** The earliest checkpoint of the group (undefined before the first batch). */
    get position() {
      return members === undefined ? undefined : readFrom(members)
    },
  }
}
