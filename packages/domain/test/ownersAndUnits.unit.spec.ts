import {
  decodeEvent,
  erasedContact,
  type OwnerCommand,
  type OwnerEvent,
  ownerDecider,
  replay,
  type UnitCommand,
  unitDecider,
} from '@property-services/domain'
import { specification } from '@property-services/domain/testing'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { manager, meta, owner, staff, stranger } from './support.js'

const at = '2026-03-02T01:00:00.000Z'
const ownerId = 'owner-1'
const contact = { name: '王芳', phone: '13800000000' }
const communityId = 'community-1'
const registered: OwnerEvent = {
  type: 'OwnerRegistered',
  data: { ownerId, communityId, contact, grade: 'general', at },
}

const ownerCmd = <T extends OwnerCommand['type']>(
  type: T,
  data: Omit<Extract<OwnerCommand, { type: T }>['data'], 'ownerId'>,
  actor = staff,
) => ({ type, meta: meta(actor, at), data: { ownerId, ...data } }) as unknown as OwnerCommand

const spec = specification(ownerDecider)

describe('owners', () => {
  it('are registered by staff as general customers, then graded', () => {
    spec.given([]).when(ownerCmd('RegisterOwner', { communityId, contact })).then([registered])
    spec
      .given([registered])
      .when(ownerCmd('GradeOwner', { grade: 'key' }, manager))
      .then([{ type: 'OwnerGraded', data: { ownerId, from: 'general', to: 'key', at } }])
    spec
      .given([registered])
      .when(ownerCmd('GradeOwner', { grade: 'general' }))
      .thenFails({ rule: 'grade-changes' })
    spec
      .given([registered])
      .when(ownerCmd('GradeOwner', { grade: 'key' }, owner))
      .thenFails('NotAllowed')
  })

  it('get visits that record their needs', () => {
    spec
      .given([registered])
      .when(ownerCmd('RecordOwnerVisit', { needs: ['more parking', 'quieter lifts'] }))
      .then([
        {
          type: 'OwnerVisited',
          data: { ownerId, needs: ['more parking', 'quieter lifts'], visitedBy: 'staff-1', at },
        },
      ])
    expect(
      replay(ownerDecider, [
        registered,
        { type: 'OwnerVisited', data: { ownerId, needs: [], visitedBy: 's', at } },
      ]),
    ).toMatchObject({
      lastVisitAt: at,
    })
  })

  it('change their own contact details, and nobody else does but staff', () => {
    expect(
      spec.given([registered]).when(ownerCmd('ChangeOwnerContact', { contact }, owner)).outcome._tag,
    ).toBe('Right')
    spec
      .given([registered])
      .when(ownerCmd('ChangeOwnerContact', { contact }, stranger))
      .thenFails('NotAllowed')
  })

  it('subscribe to packages only for units they own', () => {
    const subscribe = ownerCmd('SubscribeToPackage', { unitId: 'unit-1', packageId: 'comfort' }, owner)
    spec.given([registered]).when(subscribe, { unitOwner: 'owner-2' }).thenFails('NotAllowed')
    spec
      .given([registered])
      .when(subscribe, { unitOwner: ownerId })
      .then([{ type: 'PackageSubscribed', data: { ownerId, unitId: 'unit-1', packageId: 'comfort', at } }])
    const subscribed: OwnerEvent = {
      type: 'PackageSubscribed',
      data: { ownerId, unitId: 'unit-1', packageId: 'comfort', at },
    }
    spec
      .given([registered, subscribed])
      .when(subscribe, { unitOwner: ownerId })
      .thenFails({ rule: 'one-subscription' })
    spec
      .given([registered])
      .when(ownerCmd('UnsubscribeFromPackage', { packageId: 'comfort' }, owner))
      .thenFails({ rule: 'subscribed' })
    expect(
      replay(ownerDecider, [
        registered,
        subscribed,
        { type: 'PackageUnsubscribed', data: { ownerId, packageId: 'comfort', at } },
      ]),
    ).toMatchObject({
      subscriptions: {},
    })
  })
})

describe('erasing personal data', () => {
  const erased: OwnerEvent = { type: 'OwnerPersonalDataErased', data: { ownerId, at } }
  const changed: OwnerEvent = {
    type: 'OwnerContactChanged',
    data: { ownerId, contact: { ...contact, phone: '139' }, at },
  }

  it('is asked by the owner or done by a manager, once', () => {
    spec
      .given([registered])
      .when(ownerCmd('EraseOwnerPersonalData', {}, staff))
      .thenFails('NotAllowed')
    spec
      .given([registered])
      .when(ownerCmd('EraseOwnerPersonalData', {}, owner))
      .then([erased])
    spec
      .given([registered, erased])
      .when(ownerCmd('EraseOwnerPersonalData', {}, manager))
      .thenFails('WrongState')
  })

  it('leaves no contact in state, refuses new contact, and keeps the rest working', () => {
    const state = replay(ownerDecider, [registered, changed, erased])
    expect(state).toMatchObject({ status: 'erased', contact: erasedContact, grade: 'general' })
    spec.given([registered, erased]).when(ownerCmd('ChangeOwnerContact', { contact })).thenFails('WrongState')
    expect(spec.given([registered, erased]).when(ownerCmd('GradeOwner', { grade: 'key' })).outcome._tag).toBe(
      'Right',
    )
  })

  it('still decodes and replays history whose personal data a store has redacted', () => {
    const redact = (event: OwnerEvent): unknown =>
      'contact' in event.data ? { ...event, data: { ...event.data, contact: { erased: true } } } : event
    const stored = [registered, changed, erased].map((e) => JSON.parse(JSON.stringify(redact(e))))
    const decoded = stored.map(decodeEvent)
    expect(decoded.every(E.isRight)).toBe(true)
    const events = decoded.map((d) => (d as E.Right<OwnerEvent>).right)
    expect(JSON.stringify(events)).not.toContain('王芳')
    expect(replay(ownerDecider, events)).toEqual(replay(ownerDecider, [registered, changed, erased]))
  })
})

describe('units', () => {
  const unitSpec = specification(unitDecider)
  const unitCmd = (type: UnitCommand['type'], data: object, actor = staff) =>
    ({ type, meta: meta(actor, at), data: { unitId: 'unit-1', ...data } }) as unknown as UnitCommand
  const unitRegistered = {
    type: 'UnitRegistered' as const,
    data: { unitId: 'unit-1', communityId, building: '3', number: '1202', floorAreaCm2: 893_700, at },
  }
  const assigned = { type: 'UnitOwnerAssigned' as const, data: { unitId: 'unit-1', ownerId: 'owner-1', at } }

  it('are registered with a floor area, then owned, then transferred', () => {
    unitSpec
      .given([])
      .when(unitCmd('RegisterUnit', { communityId, building: '3', number: '1202', floorAreaCm2: 893_700 }))
      .then([unitRegistered])
    unitSpec
      .given([unitRegistered])
      .when(unitCmd('AssignUnitOwner', { ownerId: 'owner-1' }))
      .then([assigned])
    unitSpec
      .given([unitRegistered, assigned])
      .when(unitCmd('AssignUnitOwner', { ownerId: 'owner-2' }))
      .thenFails('WrongState')
    unitSpec
      .given([unitRegistered, assigned])
      .when(unitCmd('TransferUnitOwnership', { toOwnerId: 'owner-2' }))
      .then([
        {
          type: 'UnitOwnershipTransferred',
          data: { unitId: 'unit-1', fromOwnerId: 'owner-1', toOwnerId: 'owner-2', at },
        },
      ])
    unitSpec
      .given([unitRegistered, assigned])
      .when(unitCmd('TransferUnitOwnership', { toOwnerId: 'owner-1' }))
      .thenFails({ rule: 'new-owner' })
    unitSpec
      .given([unitRegistered])
      .when(unitCmd('TransferUnitOwnership', { toOwnerId: 'owner-2' }))
      .thenFails('WrongState')
  })

  it('are managed by staff only', () => {
    unitSpec
      .given([])
      .when(unitCmd('RegisterUnit', { building: '3', number: '1', floorAreaCm2: 1 }, owner))
      .thenFails('NotAllowed')
  })
})
