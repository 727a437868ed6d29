/**
 * Partitions by community: projection workers share the work by giving each community to one of a
 * fixed number of partitions, by a hash of its id. Every event belongs to the community its metadata
 * names (stamped by the command handler), so a worker picks its events without decoding them. Events
 * without one (the company's own, and events stored before communities) are the default community's.
 *
 * A read model can be split this way because none of its documents is written for two communities:
 * complaints, units, owners' files, meetings and buckets each belong to one, and the company's figures
 * are added up when asked.
 */
import { DEFAULT_COMMUNITY } from '@property-services/domain'
import type { StoredEvent } from '@property-services/infrastructure'

/** A worker's share: partitions `owned` of `count`. */
export interface Partitions {
  readonly count: number
  readonly owned: readonly number[]
}

/** At most this many partitions: each is a checkpoint and a lease per read model. */
export const maxPartitions = 1_024

/** The community an event belongs to, from its metadata as stored. */
export const communityOfMetadata = (metadata: unknown): string => {
  const community = (metadata as { community?: unknown } | null)?.community
  return typeof community === 'string' ? community : DEFAULT_COMMUNITY
}

/** The community a stored event belongs to. */
export const communityOfStored = (stored: StoredEvent): string => communityOfMetadata(stored.metadata)

/** FNV-1a over the UTF-16 code units: stable across processes, versions and platforms. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The partition of a community, out of `count`. */
export const partitionOf = (community: string, count: number): number => fnv1a(community) % count

/** Checks a worker's share before anything is taken: a count in range, owned partitions inside it, once each. */
export const checkedPartitions = (partitions: Partitions): Partitions => {
  const { count, owned } = partitions
  if (!Number.isInteger(count) || count < 1 || count > maxPartitions)
    throw new RangeError(`partitions.count must be an integer from 1 to ${maxPartitions}, got ${count}`)
  if (owned.length === 0) throw new RangeError('partitions.owned must name at least one partition')
  for (const p of owned)
    if (!Number.isInteger(p) || p < 0 || p >= count)
      throw new RangeError(`partition ${p} is not one of 0 to ${count - 1}`)
  if (new Set(owned).size !== owned.length) throw new RangeError('partitions.owned names a partition twice')
  return partitions
}

/** The checkpoint (and lease) name of one projection's partition. */
export const partitionedName = (projection: string, partition: number, count: number) =>
  `${projection}#p${partition}of${count}`

/** How many partitions a partition's checkpoint (`partitionedName`, then `_g<generation>`) was one of. */
export const partitionCountOf = (checkpointId: string): number | undefined => {
  const count = /#p\d+of(\d+)_g\d+$/.exec(checkpointId)?.[1]
  return count === undefined ? undefined : Number(count)
}
