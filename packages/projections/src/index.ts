/**
 * Read models for `@property-services`: the read-model store port (in memory or MongoDB), the
 * projection runner (exactly-once effect, batching, rebuilds), the read models with their queries, and
 * process managers (the deadline and corrective-action watches) on an injectable scheduler.
 * @packageDocumentation
 * @module @property-services/projections
 */
import { defaultPolicies, type Policies } from '@property-services/domain'
import { complaintAnalytics } from './readModels/complaintAnalytics.js'
import { correctiveActions } from './readModels/correctiveActions.js'
import { meetings } from './readModels/meetings.js'
import { repeatComplaints } from './readModels/repeatComplaints.js'
import { satisfactionTrends } from './readModels/satisfactionTrends.js'
import { serviceBoard } from './readModels/serviceBoard.js'
import { training } from './readModels/training.js'
import { visitCadence } from './readModels/visitCadence.js'
import type { Projection } from './runner/projection.js'

export * from './keys/mongoKeyStore.js'
export * from './processes/correctiveActionWatch.js'
export * from './processes/deadlineWatch.js'
export * from './processes/processManager.js'
export * from './processes/scheduler.js'
export * from './readModelStore/inMemory.js'
export * from './readModelStore/mongo.js'
export * from './readModelStore/port.js'
export * from './readModels/complaintAnalytics.js'
export * from './readModels/correctiveActions.js'
export * from './readModels/meetings.js'
export * from './readModels/periods.js'
export * from './readModels/repeatComplaints.js'
export * from './readModels/satisfactionTrends.js'
export * from './readModels/serviceBoard.js'
export * from './readModels/training.js'
export * from './readModels/visitCadence.js'
export * from './runner/checkpoint.js'
export * from './runner/generations.js'
export * from './runner/partitions.js'
export * from './runner/projection.js'
export * from './runner/quarantine.js'
export * from './runner/rebuild.js'
export * from './runner/runner.js'
export * from './runner/worker.js'

/** Every read model of the library, under the given policies. */
export const allProjections = (policies: Policies = defaultPolicies): readonly Projection[] => [
  complaintAnalytics(policies),
  repeatComplaints(policies),
  satisfactionTrends(policies),
  visitCadence(),
  serviceBoard(policies),
  meetings(policies),
  training(),
  correctiveActions(),
]
