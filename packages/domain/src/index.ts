/**
 * The domain of property-management services as pure deciders: owners and units, services and orders,
 * complaints and their handling procedure and deadlines, fees, owner and staff satisfaction surveys,
 * owner forums and committee meetings with their action items, corrective actions, staff and their
 * training. No I/O, no clock.
 * @packageDocumentation
 * @module @property-services/domain
 */
export * from './aggregates.js'
export * from './communities/community.js'
export * from './complaints/classification.js'
export * from './complaints/complaint.js'
export * from './complaints/deadlines.js'
export * from './fees/feeAccount.js'
export * from './fees/sharedCost.js'
export * from './meetings/meeting.js'
export * from './owners/owner.js'
export * from './owners/visitCadence.js'
export * from './permissions.js'
export * from './personalData.js'
export * from './policies.js'
export * from './quality/correctiveAction.js'
export * from './services/service.js'
export * from './services/serviceOrder.js'
export * from './services/servicePackage.js'
export * from './shared/actor.js'
export * from './shared/businessTime.js'
export * from './shared/calendar.js'
export * from './shared/decider.js'
export * from './shared/decode.js'
export * from './shared/erasable.js'
export * from './shared/errors.js'
export * from './shared/isoTime.js'
export * from './shared/money.js'
export * from './shared/structure.js'
export * from './shared/values.js'
export * from './staff/staffMember.js'
export * from './surveys/staffSurvey.js'
export * from './surveys/survey.js'
export * from './training/course.js'
export * from './units/unit.js'
