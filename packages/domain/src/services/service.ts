/**
 * A published service of the catalogue: free or paid, its price, and the cost it discloses to owners
 * (the seeds ask that the cost of paid and free services alike be shown) and its quality standard.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { Fen, FreeText, Id, IsoDateTime, ShortText } from '../shared/values.js'

export const ServiceKind = t.keyof({ free: null, paid: null }, 'ServiceKind')
export type ServiceKind = t.TypeOf<typeof ServiceKind>

export const PublishService = command(
  'PublishService',
  t.type({
    serviceId: Id,
    name: ShortText,
    kind: ServiceKind,
    priceFen: Fen,
    disclosedCostFen: Fen,
    qualityStandard: FreeText,
  }),
)
export const ChangeServicePrice = command('ChangeServicePrice', t.type({ serviceId: Id, priceFen: Fen }))
export const RetireService = command('RetireService', t.type({ serviceId: Id }))

export const ServiceCommand = t.union([PublishService, ChangeServicePrice, RetireService])
export type ServiceCommand = t.TypeOf<typeof ServiceCommand>

export const ServicePublished = event(
  'ServicePublished',
  t.type({
    serviceId: Id,
    name: ShortText,
    kind: ServiceKind,
    priceFen: Fen,
    disclosedCostFen: Fen,
    qualityStandard: FreeText,
    at: IsoDateTime,
  }),
)
export const ServicePriceChanged = event(
  'ServicePriceChanged',
  t.type({ serviceId: Id, fromFen: Fen, toFen: Fen, at: IsoDateTime }),
)
export const ServiceRetired = event('ServiceRetired', t.type({ serviceId: Id, at: IsoDateTime }))

export const ServiceEvent = t.union([ServicePublished, ServicePriceChanged, ServiceRetired])
export type ServiceEvent = t.TypeOf<typeof ServiceEvent>

export type ServiceState =
  | { readonly status: 'none' }
  | {
      readonly status: 'published' | 'retired'
      readonly serviceId: string
      readonly kind: ServiceKind
      readonly priceFen: number
    }

/** A free service costs the owner nothing; a paid one costs something. */
const priceFitsKind = (kind: ServiceKind, priceFen: number): boolean => (kind === 'free') === (priceFen === 0)

export const serviceDecider: Decider<ServiceCommand, ServiceEvent, ServiceState & TimeOrdered> = timeOrdered<
  ServiceCommand,
  ServiceEvent,
  ServiceState
>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<ServiceCommand, ServiceEvent, ServiceState>({
      PublishService: (command, state) => {
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'already published'))
        if (!priceFitsKind(command.data.kind, command.data.priceFen))
          return E.left(
            ruleViolated(command.type, 'price-fits-kind', 'a free service has price 0, a paid one more'),
          )
        return E.right([{ type: 'ServicePublished', data: { ...command.data, at: command.meta.occurredAt } }])
      },
      ChangeServicePrice: (command, state) => {
        if (state.status !== 'published')
          return E.left(wrongState(command.type, state.status, 'not on offer'))
        if (!priceFitsKind(state.kind, command.data.priceFen))
          return E.left(
            ruleViolated(command.type, 'price-fits-kind', `a ${state.kind} service cannot cost that`),
          )
        if (state.priceFen === command.data.priceFen)
          return E.left(ruleViolated(command.type, 'price-changes', 'the price is already that'))
        return E.right([
          {
            type: 'ServicePriceChanged',
            data: {
              serviceId: state.serviceId,
              fromFen: state.priceFen,
              toFen: command.data.priceFen,
              at: command.meta.occurredAt,
            },
          },
        ])
      },
      RetireService: (command, state) => {
        if (state.status !== 'published')
          return E.left(wrongState(command.type, state.status, 'not on offer'))
        return E.right([
          { type: 'ServiceRetired', data: { serviceId: state.serviceId, at: command.meta.occurredAt } },
        ])
      },
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'ServicePublished':
        return {
          status: 'published',
          serviceId: event.data.serviceId,
          kind: event.data.kind,
          priceFen: event.data.priceFen,
        }
      case 'ServicePriceChanged':
        return state.status === 'none' ? state : { ...state, priceFen: event.data.toFen }
      case 'ServiceRetired':
        return state.status === 'none' ? state : { ...state, status: 'retired' }
    }
  },
})
