import type { Event } from '@property-services/domain'
import { inMemoryEventStore } from '@property-services/infrastructure'
import { projectionRunner, serviceBoard, serviceBoardQueries } from '@property-services/projections'
import { describe, expect, it } from 'vitest'
import { appendAll, storeTargets } from './support.js'

const published = (
  serviceId: string,
  name: string,
  kind: 'free' | 'paid',
  priceFen: number,
  costFen: number,
): Event =>
  ({
    type: 'ServicePublished',
    data: {
      serviceId,
      name,
      kind,
      priceFen,
      disclosedCostFen: costFen,
      qualityStandard: 'within two working days',
      at: '2026-01-02T01:00:00.000Z',
    },
  }) as Event
const rated = (orderId: string, serviceId: string, score: number, at: string): Event =>
  ({
    type: 'ServiceOrderRated',
    data: { orderId, communityId: 'community-1', serviceId, score, comment: null, at },
  }) as Event

describe.each(storeTargets)('service board on %s', (_name, make) => {
  it('posts the current services: free ones with the cost the company bears, prices, packages and recent ratings', async () => {
    const events = inMemoryEventStore()
    await appendAll(events, [
      {
        streamName: 'service-cleaning',
        events: [published('cleaning', 'Corridor cleaning', 'free', 0, 1_200)],
      },
      {
        streamName: 'service-repairs',
        events: [
          published('repairs', 'Minor repairs', 'paid', 5_000, 3_500),
          {
            type: 'ServicePriceChanged',
            data: { serviceId: 'repairs', fromFen: 5_000, toFen: 5_500, at: '2026-02-01T01:00:00.000Z' },
          } as Event,
        ],
      },
      {
        streamName: 'service-old',
        events: [
          published('old', 'Old service', 'paid', 100, 50),
          { type: 'ServiceRetired', data: { serviceId: 'old', at: '2026-02-01T01:00:00.000Z' } } as Event,
        ],
      },
      {
        streamName: 'servicePackage-comfort',
        events: [
          {
            type: 'ServicePackageComposed',
            data: {
              packageId: 'comfort',
              name: 'Comfort',
              serviceIds: ['repairs'],
              monthlyPriceFen: 9_900,
              at: '2026-01-03T01:00:00.000Z',
            },
          } as Event,
        ],
      },
      { streamName: 'serviceOrder-o1', events: [rated('o1', 'repairs', 5, '2025-10-10T01:00:00.000Z')] },
      { streamName: 'serviceOrder-o2', events: [rated('o2', 'repairs', 3, '2026-02-10T01:00:00.000Z')] },
      { streamName: 'serviceOrder-o3', events: [rated('o3', 'repairs', 4, '2026-03-10T01:00:00.000Z')] },
    ])
    const { store, cleanup } = await make()
    try {
      await projectionRunner({
        events,
        readModels: store,
        projection: serviceBoard(),
        batchSize: 3,
      }).catchUp()
      const board = await serviceBoardQueries(store).board({ asOf: '2026-03-20T00:00:00Z' })
      expect(board).toEqual([
        {
          serviceId: 'cleaning',
          name: 'Corridor cleaning',
          kind: 'free',
          priceFen: 0,
          disclosedCostFen: 1_200,
          qualityStandard: 'within two working days',
          packages: [],
          recentRatings: 0,
          recentAverage: null,
        },
        {
          serviceId: 'repairs',
          name: 'Minor repairs',
          kind: 'paid',
          priceFen: 5_500,
          disclosedCostFen: 3_500,
          qualityStandard: 'within two working days',
          packages: ['Comfort'],
          // February and March count; the October rating is outside the last three months.
          recentRatings: 2,
          recentAverage: 3.5,
        },
      ])
      const sixMonths = await serviceBoardQueries(store).board({ asOf: '2026-03-20T00:00:00Z', months: 6 })
      expect(sixMonths.find((s) => s.serviceId === 'repairs')?.recentRatings).toBe(3)
    } finally {
      await cleanup()
    }
  })
})
