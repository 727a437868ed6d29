/** Scripts of generated histories: the service catalogue, packages and service orders. */
import type { ServiceOrderState, ServiceState } from '@property-services/domain'
import { actorFor, build, cast, plusMinutes, type Script, text } from './script.js'

const orderId = 'order-1'
export const serviceOrderScript: Script<ServiceOrderState> = {
  next: (s) => {
    switch (s.status) {
      case 'none':
        return ['RequestServiceOrder']
      case 'requested':
        return ['ScheduleServiceOrder', 'CancelServiceOrder']
      case 'scheduled':
        return ['DeliverServiceOrder', 'ScheduleServiceOrder', 'CancelServiceOrder']
      case 'delivered':
        return ['RateServiceOrder']
      default:
        return []
    }
  },
  build: (type, _state, env) => {
    const { pick, flag, amount } = env.step
    switch (type) {
      case 'RequestServiceOrder':
        return build(
          type,
          {
            orderId,
            ownerId: cast.owner.id,
            unitId: cast.unitId,
            serviceId: `service-${pick % 4}`,
            description: text('fix the tap', env),
          },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      case 'ScheduleServiceOrder':
        return build(
          type,
          { orderId, scheduledFor: plusMinutes(env.at, amount % 10_000), assigneeId: `fitter-${pick % 3}` },
          actorFor(env, cast.staff),
        )
      case 'DeliverServiceOrder':
        return build(type, { orderId }, actorFor(env, cast.staff))
      case 'RateServiceOrder':
        return build(
          type,
          flag
            ? { orderId, score: (pick % 5) + 1, comment: text('thanks', env) }
            : { orderId, score: (pick % 5) + 1 },
          actorFor(env, cast.owner),
        )
      case 'CancelServiceOrder':
        return build(
          type,
          { orderId, reason: text('no longer needed', env) },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      default:
        throw new Error(`not a service order command: ${type}`)
    }
  },
}

export const serviceScript: Script<ServiceState> = {
  next: (s) => {
    if (s.status === 'none') return ['PublishService']
    if (s.status === 'retired') return []
    // A free service stays free: its price cannot change.
    return s.kind === 'paid' ? ['ChangeServicePrice', 'RetireService'] : ['RetireService']
  },
  build: (type, state, env) => {
    const { amount, flag } = env.step
    const serviceId = 'service-1'
    const kind = state.status === 'none' ? (flag ? 'paid' : 'free') : state.kind
    const price = kind === 'free' ? 0 : amount + (state.status === 'none' ? 0 : state.priceFen)
    switch (type) {
      case 'PublishService':
        return build(
          type,
          {
            serviceId,
            name: text('service', env),
            kind,
            priceFen: price,
            disclosedCostFen: amount % 10_000,
            qualityStandard: text('within 24 hours', env),
          },
          actorFor(env, cast.manager),
        )
      case 'ChangeServicePrice':
        return build(
          type,
          { serviceId, priceFen: kind === 'free' ? amount : price },
          actorFor(env, cast.manager),
        )
      case 'RetireService':
        return build(type, { serviceId }, actorFor(env, cast.manager))
      default:
        throw new Error(`not a service command: ${type}`)
    }
  },
}

export const servicePackageScript: Script<{ readonly status: string }> = {
  next: (s) =>
    s.status === 'none' ? ['ComposeServicePackage'] : s.status === 'offered' ? ['RetireServicePackage'] : [],
  build: (type, _state, env) => {
    const packageId = 'package-1'
    return type === 'ComposeServicePackage'
      ? build(
          type,
          {
            packageId,
            name: text('comfort package', env),
            serviceIds: ['service-1', 'service-2', 'service-3'].slice(0, 1 + (env.step.pick % 3)),
            monthlyPriceFen: env.step.amount,
          },
          actorFor(env, cast.manager),
        )
      : build('RetireServicePackage', { packageId }, actorFor(env, cast.manager))
  },
}
