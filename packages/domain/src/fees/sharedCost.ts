/** A shared cost (公摊费用: water, electricity, cleaning, greening, shared equipment) apportioned by floor area. */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, inRegisteredCommunity } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { apportion } from '../shared/money.js'
import { boundedArray } from '../shared/structure.js'
import { AreaCm2, Fen, Id, IsoDateTime, ShortText } from '../shared/values.js'

export const SharedCostKind = t.keyof(
  { water: null, electricity: null, cleaning: null, greening: null, 'shared-equipment': null },
  'SharedCostKind',
)

const UnitArea = t.readonly(t.type({ unitId: Id, floorAreaCm2: AreaCm2 }), 'UnitArea')

export const ApportionSharedCost = command(
  'ApportionSharedCost',
  t.type({
    sharedCostId: Id,
    /** The community whose units share the cost. */
    communityId: CommunityId,
    kind: SharedCostKind,
    description: ShortText,
    totalFen: Fen,
    units: boundedArray(UnitArea, 5_000, 'UnitAreas'),
  }),
)
export const SharedCostCommand = ApportionSharedCost
export type SharedCostCommand = t.TypeOf<typeof SharedCostCommand>

export const SharedCostApportioned = event(
  'SharedCostApportioned',
  t.type({
    sharedCostId: Id,
    /** The community whose units share the cost. */
    communityId: CommunityId,
    kind: SharedCostKind,
    description: ShortText,
    totalFen: Fen,
    shares: boundedArray(
      t.readonly(t.type({ unitId: Id, floorAreaCm2: AreaCm2, amountFen: Fen })),
      5_000,
      'Shares',
    ),
    at: IsoDateTime,
  }),
)
export const SharedCostEvent = SharedCostApportioned
export type SharedCostEvent = t.TypeOf<typeof SharedCostEvent>

export type SharedCostState = { readonly status: 'none' } | { readonly status: 'apportioned' }

export const sharedCostDecider: Decider<SharedCostCommand, SharedCostEvent, SharedCostState & TimeOrdered> =
  timeOrdered<SharedCostCommand, SharedCostEvent, SharedCostState>({
    initialState: { status: 'none' },
    decide: authorizedFirst(
      decideByCommand<SharedCostCommand, SharedCostEvent, SharedCostState>({
        ApportionSharedCost: (command, state, context) => {
          if (state.status !== 'none')
            return E.left(wrongState(command.type, state.status, 'already apportioned'))
          const unknown = inRegisteredCommunity(command, command.data.communityId, context)
          if (unknown) return E.left(unknown)
          const { units, totalFen } = command.data
          if (units.length === 0)
            return E.left(ruleViolated(command.type, 'units', 'apportion over one or more units'))
          if (new Set(units.map((u) => u.unitId)).size !== units.length)
            return E.left(ruleViolated(command.type, 'distinct-units', 'each unit is listed once'))
          const { units: _, ...rest } = command.data
          return E.right([
            {
              type: 'SharedCostApportioned',
              data: { ...rest, shares: apportion(totalFen, units), at: command.meta.occurredAt },
            },
          ])
        },
      }),
    ),
    evolve: () => ({ status: 'apportioned' }),
  })
