/** A unit (房屋单元) of a community, with its floor area and its current owner; ownership can be transferred. */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, inRegisteredCommunity } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { AreaCm2, Id, IsoDateTime, ShortText } from '../shared/values.js'

const registration = {
  unitId: Id,
  /** The community the unit belongs to, for good: a unit never moves. */
  communityId: CommunityId,
  building: ShortText,
  number: ShortText,
  floorAreaCm2: AreaCm2,
}

export const RegisterUnit = command('RegisterUnit', t.type(registration))
export const AssignUnitOwner = command('AssignUnitOwner', t.type({ unitId: Id, ownerId: Id }))
export const TransferUnitOwnership = command('TransferUnitOwnership', t.type({ unitId: Id, toOwnerId: Id }))

export const UnitCommand = t.union([RegisterUnit, AssignUnitOwner, TransferUnitOwnership])
export type UnitCommand = t.TypeOf<typeof UnitCommand>

export const UnitRegistered = event('UnitRegistered', t.type({ ...registration, at: IsoDateTime }))
export const UnitOwnerAssigned = event(
  'UnitOwnerAssigned',
  t.type({ unitId: Id, ownerId: Id, at: IsoDateTime }),
)
export const UnitOwnershipTransferred = event(
  'UnitOwnershipTransferred',
  t.type({ unitId: Id, fromOwnerId: Id, toOwnerId: Id, at: IsoDateTime }),
)

export const UnitEvent = t.union([UnitRegistered, UnitOwnerAssigned, UnitOwnershipTransferred])
export type UnitEvent = t.TypeOf<typeof UnitEvent>

export type UnitState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered'
      readonly unitId: string
      readonly communityId: string
      readonly floorAreaCm2: number
      readonly ownerId: string | null
    }

export const unitDecider: Decider<UnitCommand, UnitEvent, UnitState & TimeOrdered> = timeOrdered<
  UnitCommand,
  UnitEvent,
  UnitState
>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<UnitCommand, UnitEvent, UnitState>({
      RegisterUnit: (command, state, context) => {
        const at = command.meta.occurredAt
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'unit already registered'))
        const unknown = inRegisteredCommunity(command, command.data.communityId, context)
        if (unknown) return E.left(unknown)
        return E.right([{ type: 'UnitRegistered', data: { ...command.data, at } }])
      },
      AssignUnitOwner: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status === 'none')
          return E.left(wrongState(command.type, state.status, 'unit not registered'))
        if (state.ownerId !== null)
          return E.left(
            wrongState(command.type, 'owned', `unit already owned by ${state.ownerId}; transfer it`),
          )
        return E.right([{ type: 'UnitOwnerAssigned', data: { ...command.data, at } }])
      },
      TransferUnitOwnership: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status === 'none' || state.ownerId === null)
          return E.left(wrongState(command.type, state.status, 'unit has no owner to transfer from'))
        if (state.ownerId === command.data.toOwnerId)
          return E.left(ruleViolated(command.type, 'new-owner', 'unit already belongs to that owner'))
        return E.right([
          {
            type: 'UnitOwnershipTransferred',
            data: { unitId: state.unitId, fromOwnerId: state.ownerId, toOwnerId: command.data.toOwnerId, at },
          },
        ])
      },
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'UnitRegistered':
        return {
          status: 'registered',
          unitId: event.data.unitId,
          communityId: event.data.communityId,
          floorAreaCm2: event.data.floorAreaCm2,
          ownerId: null,
        }
      case 'UnitOwnerAssigned':
        return state.status === 'none' ? state : { ...state, ownerId: event.data.ownerId }
      case 'UnitOwnershipTransferred':
        return state.status === 'none' ? state : { ...state, ownerId: event.data.toOwnerId }
    }
  },
})
