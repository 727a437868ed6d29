/** A paid service package that owners choose from and subscribe to. */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { boundedArray } from '../shared/structure.js'
import { Fen, Id, IsoDateTime, ShortText } from '../shared/values.js'

/** The services of a package: at most 50. */
const ServiceIds = boundedArray(Id, 50, 'ServiceIds')

export const ComposeServicePackage = command(
  'ComposeServicePackage',
  t.type({ packageId: Id, name: ShortText, serviceIds: ServiceIds, monthlyPriceFen: Fen }),
)
export const RetireServicePackage = command('RetireServicePackage', t.type({ packageId: Id }))

export const ServicePackageCommand = t.union([ComposeServicePackage, RetireServicePackage])
export type ServicePackageCommand = t.TypeOf<typeof ServicePackageCommand>

export const ServicePackageComposed = event(
  'ServicePackageComposed',
  t.type({
    packageId: Id,
    name: ShortText,
    serviceIds: ServiceIds,
    monthlyPriceFen: Fen,
    at: IsoDateTime,
  }),
)
export const ServicePackageRetired = event(
  'ServicePackageRetired',
  t.type({ packageId: Id, at: IsoDateTime }),
)

export const ServicePackageEvent = t.union([ServicePackageComposed, ServicePackageRetired])
export type ServicePackageEvent = t.TypeOf<typeof ServicePackageEvent>

export type ServicePackageState =
  | { readonly status: 'none' }
  | { readonly status: 'offered' | 'retired'; readonly packageId: string }

export const servicePackageDecider: Decider<
  ServicePackageCommand,
  ServicePackageEvent,
  ServicePackageState & TimeOrdered
> = timeOrdered<ServicePackageCommand, ServicePackageEvent, ServicePackageState>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<ServicePackageCommand, ServicePackageEvent, ServicePackageState>({
      ComposeServicePackage: (command, state) => {
        const at = command.meta.occurredAt
        const { serviceIds, monthlyPriceFen } = command.data
        if (state.status !== 'none') return E.left(wrongState(command.type, state.status, 'already composed'))
        if (serviceIds.length === 0 || new Set(serviceIds).size !== serviceIds.length)
          return E.left(
            ruleViolated(command.type, 'services', 'a package holds one or more distinct services'),
          )
        if (monthlyPriceFen === 0) return E.left(ruleViolated(command.type, 'paid', 'a package has a price'))
        return E.right([{ type: 'ServicePackageComposed', data: { ...command.data, at } }])
      },
      RetireServicePackage: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status !== 'offered') return E.left(wrongState(command.type, state.status, 'not on offer'))
        return E.right([{ type: 'ServicePackageRetired', data: { packageId: state.packageId, at } }])
      },
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'ServicePackageComposed':
        return { status: 'offered', packageId: event.data.packageId }
      case 'ServicePackageRetired':
        return state.status === 'none' ? state : { ...state, status: 'retired' }
    }
  },
})
