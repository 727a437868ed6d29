import {
  type ServiceCommand,
  type ServiceEvent,
  type ServiceOrderCommand,
  type ServiceOrderEvent,
  type SurveyCommand,
  type SurveyEvent,
  serviceDecider,
  serviceOrderDecider,
  servicePackageDecider,
  surveyDecider,
} from '@property-services/domain'
import { specification } from '@property-services/domain/testing'
import { describe, expect, it } from 'vitest'
import { manager, meta, owner, staff, stranger } from './support.js'

const at = '2026-03-02T01:00:00.000Z'
const after = (hours: number) => new Date(Date.parse(at) + hours * 3_600_000).toISOString()

describe('the service catalogue', () => {
  const spec = specification(serviceDecider)
  const publish = (kind: 'free' | 'paid', priceFen: number, actor = manager): ServiceCommand => ({
    type: 'PublishService',
    meta: meta(actor, at),
    data: {
      serviceId: 's1',
      name: 'window cleaning',
      kind,
      priceFen,
      disclosedCostFen: 3_000,
      qualityStandard: 'streak-free',
    },
  })
  const published: ServiceEvent = {
    type: 'ServicePublished',
    data: {
      serviceId: 's1',
      name: 'window cleaning',
      kind: 'paid',
      priceFen: 5_000,
      disclosedCostFen: 3_000,
      qualityStandard: 'streak-free',
      at,
    },
  }

  it('publishes free services at no price and paid ones at a price, with the cost disclosed', () => {
    expect(spec.given([]).when(publish('free', 0)).outcome).toMatchObject({
      right: [{ data: { disclosedCostFen: 3_000 } }],
    })
    spec.given([]).when(publish('free', 100)).thenFails({ rule: 'price-fits-kind' })
    spec.given([]).when(publish('paid', 0)).thenFails({ rule: 'price-fits-kind' })
    spec
      .given([])
      .when(publish('paid', 100, staff))
      .thenFails('NotAllowed')
  })

  it('changes a price, and retires a service for good', () => {
    const change = (priceFen: number): ServiceCommand => ({
      type: 'ChangeServicePrice',
      meta: meta(manager, at),
      data: { serviceId: 's1', priceFen },
    })
    spec
      .given([published])
      .when(change(6_000))
      .then([{ type: 'ServicePriceChanged', data: { serviceId: 's1', fromFen: 5_000, toFen: 6_000, at } }])
    spec.given([published]).when(change(5_000)).thenFails({ rule: 'price-changes' })
    const retired: ServiceEvent = { type: 'ServiceRetired', data: { serviceId: 's1', at } }
    spec.given([published, retired]).when(change(6_000)).thenFails('WrongState')
  })

  it('composes packages of distinct services at a price', () => {
    const packageSpec = specification(servicePackageDecider)
    const compose = (serviceIds: string[], monthlyPriceFen = 9_900) => ({
      type: 'ComposeServicePackage' as const,
      meta: meta(manager, at),
      data: { packageId: 'p1', name: 'comfort', serviceIds, monthlyPriceFen },
    })
    expect(packageSpec.given([]).when(compose(['s1', 's2'])).outcome._tag).toBe('Right')
    packageSpec
      .given([])
      .when(compose(['s1', 's1']))
      .thenFails({ rule: 'services' })
    packageSpec.given([]).when(compose([])).thenFails({ rule: 'services' })
    packageSpec
      .given([])
      .when(compose(['s1'], 0))
      .thenFails({ rule: 'paid' })
  })
})

describe('service orders', () => {
  const spec = specification(serviceOrderDecider)
  const cmd = <T extends ServiceOrderCommand['type']>(
    type: T,
    data: object,
    actor = staff,
    when = after(48),
  ) => ({ type, meta: meta(actor, when), data: { orderId: 'o1', ...data } }) as unknown as ServiceOrderCommand
  const requested: ServiceOrderEvent = {
    type: 'ServiceOrderRequested',
    data: {
      orderId: 'o1',
      ownerId: 'owner-1',
      unitId: 'unit-1',
      communityId: 'community-1',
      serviceId: 's1',
      description: 'leaking tap',
      at,
    },
  }
  const scheduled: ServiceOrderEvent = {
    type: 'ServiceOrderScheduled',
    data: { orderId: 'o1', scheduledFor: after(24), assigneeId: 'fitter-1', at: after(1) },
  }
  const delivered: ServiceOrderEvent = {
    type: 'ServiceOrderDelivered',
    data: { orderId: 'o1', at: after(25) },
  }

  it('go from requested to scheduled to delivered to rated', () => {
    const request = cmd(
      'RequestServiceOrder',
      { ownerId: 'owner-1', unitId: 'unit-1', serviceId: 's1', description: 'leaking tap' },
      owner,
      at,
    )
    spec.given([]).when(request, { unitOwner: 'owner-1', unitCommunity: 'community-1' }).then([requested])
    spec
      .given([])
      .when(request, { unitOwner: 'owner-2', unitCommunity: 'community-1' })
      .thenFails('NotAllowed')
    spec
      .given([requested])
      .when(cmd('ScheduleServiceOrder', { scheduledFor: after(24), assigneeId: 'fitter-1' }, staff, after(1)))
      .then([scheduled])
    spec.given([requested]).when(cmd('DeliverServiceOrder', {})).thenFails('WrongState')
    spec
      .given([requested, scheduled])
      .when(cmd('DeliverServiceOrder', {}, staff, after(25)))
      .then([delivered])
    spec
      .given([requested, scheduled, delivered])
      .when(cmd('RateServiceOrder', { score: 5 }, owner, after(26)))
      .then([
        {
          type: 'ServiceOrderRated',
          data: {
            orderId: 'o1',
            communityId: 'community-1',
            serviceId: 's1',
            score: 5,
            comment: null,
            at: after(26),
          },
        },
      ])
  })

  it('are scheduled for a time to come', () => {
    spec
      .given([requested])
      .when(cmd('ScheduleServiceOrder', { scheduledFor: at, assigneeId: 'f' }, staff, after(2)))
      .thenFails({ rule: 'future' })
  })

  it('are rated once, by the owner who asked', () => {
    spec
      .given([requested, scheduled, delivered])
      .when(cmd('RateServiceOrder', { score: 5 }, staff))
      .thenFails('NotAllowed')
    spec
      .given([requested, scheduled, delivered])
      .when(cmd('RateServiceOrder', { score: 5 }, stranger))
      .thenFails('NotAllowed')
    spec
      .given([requested, scheduled])
      .when(cmd('RateServiceOrder', { score: 5 }, owner))
      .thenFails('WrongState')
  })

  it('are cancellable until delivered', () => {
    expect(
      spec.given([requested, scheduled]).when(cmd('CancelServiceOrder', { reason: 'away' }, owner)).outcome
        ._tag,
    ).toBe('Right')
    spec
      .given([requested, scheduled, delivered])
      .when(cmd('CancelServiceOrder', { reason: 'late' }, owner))
      .thenFails('WrongState')
  })
})

describe('satisfaction surveys', () => {
  const spec = specification(surveyDecider)
  const cmd = (type: SurveyCommand['type'], data: object, actor = staff) =>
    ({
      type,
      meta: meta(actor, at),
      data: { surveyId: 'v1', ...(type === 'OpenSurvey' ? { communityId: 'community-1' } : {}), ...data },
    }) as unknown as SurveyCommand
  const opened: SurveyEvent = {
    type: 'SurveyOpened',
    data: {
      surveyId: 'v1',
      communityId: 'community-1',
      period: '2026-H1',
      dimensions: ['cleanliness', 'security'],
      at,
    },
  }
  const response = (ownerId: string, scores: Record<string, number>, actor = staff) =>
    cmd('RecordSurveyResponse', { ownerId, scores }, actor)

  it('open with distinct dimensions', () => {
    spec
      .given([])
      .when(cmd('OpenSurvey', { period: '2026-H1', dimensions: ['a', 'a'] }))
      .thenFails({ rule: 'dimensions' })
    spec
      .given([])
      .when(cmd('OpenSurvey', { period: '2026-H1', dimensions: [] }))
      .thenFails({ rule: 'dimensions' })
  })

  it('take one response per owner, scoring exactly the dimensions', () => {
    const answered: SurveyEvent = {
      type: 'SurveyResponseRecorded',
      data: {
        surveyId: 'v1',
        communityId: 'community-1',
        period: '2026-H1',
        ownerId: 'owner-1',
        scores: { cleanliness: 4, security: 5 },
        at,
      },
    }
    spec
      .given([opened])
      .when(response('owner-1', { cleanliness: 4, security: 5 }, owner))
      .then([answered])
    spec
      .given([opened])
      .when(response('owner-1', { cleanliness: 4 }))
      .thenFails({ rule: 'all-dimensions' })
    spec
      .given([opened])
      .when(response('owner-1', { cleanliness: 4, security: 5, parking: 1 }))
      .thenFails({ rule: 'all-dimensions' })
    spec
      .given([opened])
      .when(response('owner-2', { cleanliness: 4, security: 5 }, owner))
      .thenFails('NotAllowed')
    spec
      .given([opened, answered])
      .when(response('owner-1', { cleanliness: 1, security: 1 }))
      .thenFails({ rule: 'one-response' })
  })

  it('close, with or without responses, and take none after', () => {
    spec
      .given([opened])
      .when(cmd('CloseSurvey', {}))
      .then([{ type: 'SurveyClosed', data: { surveyId: 'v1', responses: 0, at } }])
    const closed: SurveyEvent = { type: 'SurveyClosed', data: { surveyId: 'v1', responses: 0, at } }
    spec
      .given([opened, closed])
      .when(response('owner-1', { cleanliness: 4, security: 5 }))
      .thenFails('WrongState')
  })
})
