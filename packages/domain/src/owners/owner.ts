/**
 * An owner (业主): contact details (personal data, erasable), customer grade (重点/一般/潜在客户),
 * regular visits with the needs heard, and subscriptions to paid service packages.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, inRegisteredCommunity } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorize } from '../shared/authorize.js'
import {
  type Decider,
  decideByCommand,
  type Existing,
  onExisting,
  type TimedDecision,
  type TimeOrdered,
  timeOrdered,
} from '../shared/decider.js'
import { Erased, erasable, erased } from '../shared/erasable.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { boundedArray } from '../shared/structure.js'
import { FreeText, Id, IsoDateTime, ShortText } from '../shared/values.js'

/** Key, general or potential customer: service is differentiated by grade. */
export const OwnerGrade = t.keyof({ key: null, general: null, potential: null }, 'OwnerGrade')
export type OwnerGrade = t.TypeOf<typeof OwnerGrade>

/** The personal data of an owner, as given. */
export const ContactDetails = t.readonly(
  t.intersection([t.type({ name: ShortText, phone: ShortText }), t.partial({ email: ShortText })]),
  'ContactDetails',
)
export type ContactDetails = t.TypeOf<typeof ContactDetails>

/**
 * Personal data as stored in events: the details, or the marker left when they were erased. A store
 * that honours an erasure replaces every earlier `ContactDetails` of the owner with this marker; the
 * events still decode and replay.
 */
export const ErasedContact = Erased
export const StoredContact = t.union([ContactDetails, Erased], 'StoredContact')
export type StoredContact = t.TypeOf<typeof StoredContact>
export const erasedContact: StoredContact = erased

/** The needs heard on one visit: at most 20 notes. */
const Needs = boundedArray(FreeText, 20, 'Needs')

export const RegisterOwner = command(
  'RegisterOwner',
  t.type({ ownerId: Id, communityId: CommunityId, contact: ContactDetails }),
)
export const GradeOwner = command('GradeOwner', t.type({ ownerId: Id, grade: OwnerGrade }))
export const RecordOwnerVisit = command('RecordOwnerVisit', t.type({ ownerId: Id, needs: Needs }))
export const ChangeOwnerContact = command(
  'ChangeOwnerContact',
  t.type({ ownerId: Id, contact: ContactDetails }),
)
export const EraseOwnerPersonalData = command('EraseOwnerPersonalData', t.type({ ownerId: Id }))
export const SubscribeToPackage = command(
  'SubscribeToPackage',
  t.type({ ownerId: Id, unitId: Id, packageId: Id }),
)
export const UnsubscribeFromPackage = command(
  'UnsubscribeFromPackage',
  t.type({ ownerId: Id, packageId: Id }),
)

export const OwnerCommand = t.union([
  RegisterOwner,
  GradeOwner,
  RecordOwnerVisit,
  ChangeOwnerContact,
  EraseOwnerPersonalData,
  SubscribeToPackage,
  UnsubscribeFromPackage,
])
export type OwnerCommand = t.TypeOf<typeof OwnerCommand>

export const OwnerRegistered = event(
  'OwnerRegistered',
  t.type({
    ownerId: Id,
    /** The community whose customer service keeps the owner's file (业主档案). */
    communityId: CommunityId,
    contact: StoredContact,
    grade: OwnerGrade,
    at: IsoDateTime,
  }),
)
export const OwnerGraded = event(
  'OwnerGraded',
  t.type({ ownerId: Id, from: OwnerGrade, to: OwnerGrade, at: IsoDateTime }),
)
export const OwnerVisited = event(
  'OwnerVisited',
  t.type({ ownerId: Id, needs: erasable(Needs), visitedBy: Id, at: IsoDateTime }),
)
export const OwnerContactChanged = event(
  'OwnerContactChanged',
  t.type({ ownerId: Id, contact: StoredContact, at: IsoDateTime }),
)
export const OwnerPersonalDataErased = event(
  'OwnerPersonalDataErased',
  t.type({ ownerId: Id, at: IsoDateTime }),
)
export const PackageSubscribed = event(
  'PackageSubscribed',
  t.type({ ownerId: Id, unitId: Id, packageId: Id, at: IsoDateTime }),
)
export const PackageUnsubscribed = event(
  'PackageUnsubscribed',
  t.type({ ownerId: Id, packageId: Id, at: IsoDateTime }),
)

export const OwnerEvent = t.union([
  OwnerRegistered,
  OwnerGraded,
  OwnerVisited,
  OwnerContactChanged,
  OwnerPersonalDataErased,
  PackageSubscribed,
  PackageUnsubscribed,
])
export type OwnerEvent = t.TypeOf<typeof OwnerEvent>

export type OwnerState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered' | 'erased'
      readonly ownerId: string
      readonly communityId: string
      readonly contact: StoredContact
      readonly grade: OwnerGrade
      readonly lastVisitAt: string | null
      /** Package id to the unit it serves. */
      readonly subscriptions: Readonly<Record<string, string>>
    }

/** For a command about a registered owner: refused when the owner was never registered. */
const whenRegistered = <C extends OwnerCommand>(decide: TimedDecision<C, OwnerEvent, Existing<OwnerState>>) =>
  onExisting<C, OwnerEvent, OwnerState>((command) => `owner ${command.data.ownerId} not registered`, decide)

export const ownerDecider: Decider<OwnerCommand, OwnerEvent, OwnerState & TimeOrdered> = timeOrdered<
  OwnerCommand,
  OwnerEvent,
  OwnerState
>({
  initialState: { status: 'none' },
  decide: decideByCommand<OwnerCommand, OwnerEvent, OwnerState>({
    RegisterOwner: (command, state, context) => {
      const at = command.meta.occurredAt
      const { ownerId, communityId, contact } = command.data
      const denied = authorize(command, { community: communityId })
      if (denied) return E.left(denied)
      const unknown = inRegisteredCommunity(command, communityId, context)
      if (unknown) return E.left(unknown)
      if (state.status !== 'none')
        return E.left(wrongState(command.type, state.status, 'owner already registered'))
      return E.right([
        { type: 'OwnerRegistered', data: { ownerId, communityId, contact, grade: 'general', at } },
      ])
    },
    GradeOwner: whenRegistered((command, state, at) => {
      const { ownerId } = command.data
      const denied = authorize(command, { community: state.communityId })
      if (denied) return E.left(denied)
      if (state.grade === command.data.grade)
        return E.left(ruleViolated(command.type, 'grade-changes', `owner is already graded ${state.grade}`))
      return E.right([
        { type: 'OwnerGraded', data: { ownerId, from: state.grade, to: command.data.grade, at } },
      ])
    }),
    RecordOwnerVisit: whenRegistered((command, state, at) => {
      const { ownerId } = command.data
      const denied = authorize(command, { community: state.communityId })
      if (denied) return E.left(denied)
      return E.right([
        {
          type: 'OwnerVisited',
          data: { ownerId, needs: command.data.needs, visitedBy: command.meta.actor.id, at },
        },
      ])
    }),
    ChangeOwnerContact: whenRegistered((command, state, at) => {
      const { ownerId } = command.data
      const denied = authorize(command, { owner: ownerId, community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status === 'erased')
        return E.left(wrongState(command.type, state.status, 'personal data was erased; register anew'))
      return E.right([{ type: 'OwnerContactChanged', data: { ownerId, contact: command.data.contact, at } }])
    }),
    EraseOwnerPersonalData: whenRegistered((command, state, at) => {
      const { ownerId } = command.data
      const denied = authorize(command, { owner: ownerId, community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status === 'erased') return E.left(wrongState(command.type, state.status, 'already erased'))
      return E.right([{ type: 'OwnerPersonalDataErased', data: { ownerId, at } }])
    }),
    SubscribeToPackage: whenRegistered((command, state, at, context) => {
      const { ownerId } = command.data
      const { unitId, packageId } = command.data
      const denied = authorize(command, { owner: ownerId, unitId, context, community: state.communityId })
      if (denied) return E.left(denied)
      if (Object.hasOwn(state.subscriptions, packageId))
        return E.left(ruleViolated(command.type, 'one-subscription', `already subscribed to ${packageId}`))
      return E.right([{ type: 'PackageSubscribed', data: { ownerId, unitId, packageId, at } }])
    }),
    UnsubscribeFromPackage: whenRegistered((command, state, at) => {
      const { ownerId } = command.data
      const denied = authorize(command, { owner: ownerId, community: state.communityId })
      if (denied) return E.left(denied)
      if (!Object.hasOwn(state.subscriptions, command.data.packageId))
        return E.left(ruleViolated(command.type, 'subscribed', `not subscribed to ${command.data.packageId}`))
      return E.right([
        { type: 'PackageUnsubscribed', data: { ownerId, packageId: command.data.packageId, at } },
      ])
    }),
  }),
  evolve: (state, event) => {
    if (event.type === 'OwnerRegistered') {
      return {
        status: 'registered',
        ownerId: event.data.ownerId,
        communityId: event.data.communityId,
        contact: event.data.contact,
        grade: event.data.grade,
        lastVisitAt: null,
        subscriptions: {},
      }
    }
    if (state.status === 'none') return state
    switch (event.type) {
      case 'OwnerGraded':
        return { ...state, grade: event.data.to }
      case 'OwnerVisited':
        return { ...state, lastVisitAt: event.data.at }
      case 'OwnerContactChanged':
        return { ...state, contact: event.data.contact }
      case 'OwnerPersonalDataErased':
        return { ...state, status: 'erased', contact: erasedContact }
      case 'PackageSubscribed':
        return {
          ...state,
          subscriptions: { ...state.subscriptions, [event.data.packageId]: event.data.unitId },
        }
      case 'PackageUnsubscribed': {
        const { [event.data.packageId]: _, ...rest } = state.subscriptions
        return { ...state, subscriptions: rest }
      }
    }
  },
})
