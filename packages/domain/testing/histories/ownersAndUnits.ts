/** Scripts of generated histories: owners (grades, visits, contact details) and units (registration, ownership). */
import type { OwnerState, UnitState } from '@property-services/domain'
import { actorFor, build, cast, pickOf, type Script, text } from './script.js'

const grades = ['key', 'general', 'potential'] as const
export const ownerScript: Script<OwnerState> = {
  next: (s) => {
    if (s.status === 'none') return ['RegisterOwner']
    const subscribed = Object.keys(s.subscriptions).length > 0
    return [
      'GradeOwner',
      'RecordOwnerVisit',
      ...(s.status === 'registered' ? (['ChangeOwnerContact', 'EraseOwnerPersonalData'] as const) : []),
      'SubscribeToPackage',
      ...(subscribed ? (['UnsubscribeFromPackage'] as const) : []),
    ]
  },
  build: (type, state, env) => {
    const { pick, flag } = env.step
    const ownerId = cast.owner.id
    const contact = { name: `Owner ${env.index}`, phone: `1380000${String(pick % 10_000).padStart(4, '0')}` }
    switch (type) {
      case 'RegisterOwner':
        return build(type, { ownerId, communityId: cast.communityId, contact }, actorFor(env, cast.staff))
      case 'GradeOwner': {
        const current = state.status === 'none' ? 'general' : state.grade
        const others = grades.filter((g) => g !== current)
        return build(type, { ownerId, grade: pickOf(others, pick) }, actorFor(env, cast.manager))
      }
      case 'RecordOwnerVisit':
        return build(type, { ownerId, needs: [text('quieter lifts', env)] }, actorFor(env, cast.staff))
      case 'ChangeOwnerContact':
        return build(
          type,
          { ownerId, contact: flag ? { ...contact, email: `o${pick}@example.com` } : contact },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      case 'EraseOwnerPersonalData':
        return build(type, { ownerId }, actorFor(env, flag ? cast.owner : cast.manager))
      case 'SubscribeToPackage': {
        const taken = state.status === 'none' ? {} : state.subscriptions
        const free = ['package-1', 'package-2', 'package-3', `package-${env.index}`].filter(
          (p) => !Object.hasOwn(taken, p),
        )
        return build(
          type,
          { ownerId, unitId: cast.unitId, packageId: pickOf(free, pick) },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      }
      case 'UnsubscribeFromPackage': {
        const taken = Object.keys(state.status === 'none' ? {} : state.subscriptions)
        return build(
          type,
          { ownerId, packageId: pickOf(taken.length > 0 ? taken : ['package-1'], pick) },
          actorFor(env, cast.owner),
        )
      }
      default:
        throw new Error(`not an owner command: ${type}`)
    }
  },
}

export const unitScript: Script<UnitState> = {
  next: (s) =>
    s.status === 'none'
      ? ['RegisterUnit']
      : s.ownerId === null
        ? ['AssignUnitOwner']
        : ['TransferUnitOwnership'],
  build: (type, state, env) => {
    const { pick, amount } = env.step
    const unitId = cast.unitId
    switch (type) {
      case 'RegisterUnit':
        return build(
          type,
          {
            unitId,
            communityId: cast.communityId,
            building: `B${pick % 9}`,
            number: `${(pick % 30) + 1}0${(pick % 4) + 1}`,
            floorAreaCm2: 300_000 + amount * 10,
          },
          actorFor(env, cast.staff),
        )
      case 'AssignUnitOwner':
        return build(type, { unitId, ownerId: `owner-${pick % 5}` }, actorFor(env, cast.staff))
      case 'TransferUnitOwnership': {
        const current = state.status === 'registered' ? state.ownerId : null
        const candidates = ['owner-0', 'owner-1', 'owner-2', 'owner-3'].filter((o) => o !== current)
        return build(type, { unitId, toOwnerId: pickOf(candidates, pick) }, actorFor(env, cast.staff))
      }
      default:
        throw new Error(`not a unit command: ${type}`)
    }
  },
}
