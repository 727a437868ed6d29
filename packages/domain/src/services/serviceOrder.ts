/**
 * A service order: requested by or for an owner, scheduled, delivered, then rated by the owner (1-5);
 * cancellable until delivered.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, communityOfUnit } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorize } from '../shared/authorize.js'
import {
  type Decider,
  decideByCommand,
  onExisting,
  type TimeOrdered,
  timeOrdered,
} from '../shared/decider.js'
import { erasable } from '../shared/erasable.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { FreeText, Id, IsoDateTime, Score } from '../shared/values.js'

export const RequestServiceOrder = command(
  'RequestServiceOrder',
  t.type({ orderId: Id, ownerId: Id, unitId: Id, serviceId: Id, description: FreeText }),
)
export const ScheduleServiceOrder = command(
  'ScheduleServiceOrder',
  t.type({ orderId: Id, scheduledFor: IsoDateTime, assigneeId: Id }),
)
export const DeliverServiceOrder = command('DeliverServiceOrder', t.type({ orderId: Id }))
export const RateServiceOrder = command(
  'RateServiceOrder',
  t.intersection([t.type({ orderId: Id, score: Score }), t.partial({ comment: FreeText })]),
)
export const CancelServiceOrder = command('CancelServiceOrder', t.type({ orderId: Id, reason: FreeText }))

export const ServiceOrderCommand = t.union([
  RequestServiceOrder,
  ScheduleServiceOrder,
  DeliverServiceOrder,
  RateServiceOrder,
  CancelServiceOrder,
])
export type ServiceOrderCommand = t.TypeOf<typeof ServiceOrderCommand>

export const ServiceOrderRequested = event(
  'ServiceOrderRequested',
  t.type({
    orderId: Id,
    ownerId: Id,
    unitId: Id,
    /** The unit's community. */
    communityId: CommunityId,
    serviceId: Id,
    description: erasable(FreeText),
    at: IsoDateTime,
  }),
)
export const ServiceOrderScheduled = event(
  'ServiceOrderScheduled',
  t.type({ orderId: Id, scheduledFor: IsoDateTime, assigneeId: Id, at: IsoDateTime }),
)
export const ServiceOrderDelivered = event('ServiceOrderDelivered', t.type({ orderId: Id, at: IsoDateTime }))
export const ServiceOrderRated = event(
  'ServiceOrderRated',
  t.type({
    orderId: Id,
    /** The order's community, said again for satisfaction by community. */
    communityId: CommunityId,
    serviceId: Id,
    score: Score,
    comment: erasable(t.union([FreeText, t.null])),
    at: IsoDateTime,
  }),
)
export const ServiceOrderCancelled = event(
  'ServiceOrderCancelled',
  t.type({ orderId: Id, reason: erasable(FreeText), at: IsoDateTime }),
)

export const ServiceOrderEvent = t.union([
  ServiceOrderRequested,
  ServiceOrderScheduled,
  ServiceOrderDelivered,
  ServiceOrderRated,
  ServiceOrderCancelled,
])
export type ServiceOrderEvent = t.TypeOf<typeof ServiceOrderEvent>

export type ServiceOrderStatus = 'requested' | 'scheduled' | 'delivered' | 'rated' | 'cancelled'

export type ServiceOrderState =
  | { readonly status: 'none' }
  | {
      readonly status: ServiceOrderStatus
      readonly orderId: string
      readonly ownerId: string
      readonly communityId: string
      readonly serviceId: string
    }

export const serviceOrderDecider: Decider<
  ServiceOrderCommand,
  ServiceOrderEvent,
  ServiceOrderState & TimeOrdered
> = timeOrdered<ServiceOrderCommand, ServiceOrderEvent, ServiceOrderState>({
  initialState: { status: 'none' },
  decide: decideByCommand<ServiceOrderCommand, ServiceOrderEvent, ServiceOrderState>({
    RequestServiceOrder: (command, state, context) => {
      const at = command.meta.occurredAt
      const { ownerId, unitId } = command.data
      const community = communityOfUnit(command, unitId, context)
      if (E.isLeft(community)) return community
      const communityId = community.right
      const denied = authorize(command, { owner: ownerId, unitId, context, community: communityId })
      if (denied) return E.left(denied)
      if (state.status !== 'none')
        return E.left(wrongState(command.type, state.status, 'order already exists'))
      return E.right([{ type: 'ServiceOrderRequested', data: { ...command.data, communityId, at } }])
    },
    ScheduleServiceOrder: onExisting('no such order', (command, state, at) => {
      const denied = authorize(command, { community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status !== 'requested' && state.status !== 'scheduled')
        return E.left(wrongState(command.type, state.status, 'only a requested order can be scheduled'))
      if (Date.parse(command.data.scheduledFor) < Date.parse(at))
        return E.left(ruleViolated(command.type, 'future', 'an order is scheduled for a time to come'))
      return E.right([{ type: 'ServiceOrderScheduled', data: { ...command.data, at } }])
    }),
    DeliverServiceOrder: onExisting('no such order', (command, state, at) => {
      const { orderId } = state
      const denied = authorize(command, { community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status !== 'scheduled')
        return E.left(wrongState(command.type, state.status, 'only a scheduled order can be delivered'))
      return E.right([{ type: 'ServiceOrderDelivered', data: { orderId, at } }])
    }),
    RateServiceOrder: onExisting('no such order', (command, state, at) => {
      const { orderId } = state
      const denied = authorize(command, { owner: state.ownerId, community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status !== 'delivered')
        return E.left(wrongState(command.type, state.status, 'only a delivered order can be rated, once'))
      const { score, comment } = command.data
      return E.right([
        {
          type: 'ServiceOrderRated',
          data: {
            orderId,
            communityId: state.communityId,
            serviceId: state.serviceId,
            score,
            comment: comment ?? null,
            at,
          },
        },
      ])
    }),
    CancelServiceOrder: onExisting('no such order', (command, state, at) => {
      const { orderId } = state
      const denied = authorize(command, { owner: state.ownerId, community: state.communityId })
      if (denied) return E.left(denied)
      if (state.status !== 'requested' && state.status !== 'scheduled')
        return E.left(
          wrongState(command.type, state.status, 'an order can be cancelled only before delivery'),
        )
      return E.right([{ type: 'ServiceOrderCancelled', data: { orderId, reason: command.data.reason, at } }])
    }),
  }),
  evolve: (state, event) => {
    if (event.type === 'ServiceOrderRequested') {
      const { orderId, ownerId, communityId, serviceId } = event.data
      return { status: 'requested', orderId, ownerId, communityId, serviceId }
    }
    if (state.status === 'none') return state
    switch (event.type) {
      case 'ServiceOrderScheduled':
        return { ...state, status: 'scheduled' }
      case 'ServiceOrderDelivered':
        return { ...state, status: 'delivered' }
      case 'ServiceOrderRated':
        return { ...state, status: 'rated' }
      case 'ServiceOrderCancelled':
        return { ...state, status: 'cancelled' }
    }
  },
})
