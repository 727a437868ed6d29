/**
 * The published service board (服务公示, 策略一 and 策略四): the community's current service list as a
 * company posts it on the notice board. Each service is free or paid, with its price, its disclosed
 * cost (for a free service, the cost the company bears, so that owners see the value they receive,
 * 策略五), its quality standard, the packages it is in, and its recent ratings (kept per local month).
 */
import { defaultPolicies, type Policies } from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'
import { monthOf, previousPeriod } from './periods.js'

export const serviceBoardName = 'serviceBoard'

export interface BoardService extends Document {
  readonly name: string
  readonly kind: 'free' | 'paid'
  readonly priceFen: number
  readonly disclosedCostFen: number
  readonly qualityStandard: string
  readonly retired: boolean
}

export interface BoardPackage extends Document {
  readonly name: string
  readonly serviceIds: readonly string[]
  readonly monthlyPriceFen: number
  readonly retired: boolean
}

export interface RatingMonth extends Document {
  /** The community of the orders rated; absent in documents kept before communities. */
  readonly community?: string
  readonly serviceId: string
  readonly month: string
  readonly sum: number
  readonly count: number
}

interface Collections {
  readonly [collection: string]: Document
  readonly services: BoardService
  readonly packages: BoardPackage
  readonly ratings: RatingMonth
}

const types = [
  'ServicePublished',
  'ServicePriceChanged',
  'ServiceRetired',
  'ServicePackageComposed',
  'ServicePackageRetired',
  'ServiceOrderRated',
] as const

export const serviceBoard = (policies: Policies = defaultPolicies): Projection<Collections> => ({
  name: serviceBoardName,
  collections: ['services', 'packages', 'ratings'],
  canHandle: types,
  prefetch: ({ event }) => {
    switch (event.type) {
      case 'ServicePriceChanged':
      case 'ServiceRetired':
        return [['services', event.data.serviceId]]
      case 'ServicePackageRetired':
        return [['packages', event.data.packageId]]
      default:
        return []
    }
  },
  project({ event }, view) {
    switch (event.type) {
      case 'ServicePublished': {
        const { serviceId, name, kind, priceFen, disclosedCostFen, qualityStandard } = event.data
        const doc: BoardService = {
          _id: serviceId,
          name,
          kind,
          priceFen,
          disclosedCostFen,
          qualityStandard,
          retired: false,
        }
        return [{ collection: 'services', id: serviceId, doc }]
      }
      case 'ServicePriceChanged': {
        const service = view.get('services', event.data.serviceId)
        return service === undefined
          ? []
          : [{ collection: 'services', id: service._id, doc: { ...service, priceFen: event.data.toFen } }]
      }
      case 'ServiceRetired': {
        const service = view.get('services', event.data.serviceId)
        return service === undefined
          ? []
          : [{ collection: 'services', id: service._id, doc: { ...service, retired: true } }]
      }
      case 'ServicePackageComposed': {
        const { packageId, name, serviceIds, monthlyPriceFen } = event.data
        const doc: BoardPackage = { _id: packageId, name, serviceIds, monthlyPriceFen, retired: false }
        return [{ collection: 'packages', id: packageId, doc }]
      }
      case 'ServicePackageRetired': {
        const pack = view.get('packages', event.data.packageId)
        return pack === undefined
          ? []
          : [{ collection: 'packages', id: pack._id, doc: { ...pack, retired: true } }]
      }
      case 'ServiceOrderRated': {
        const month = monthOf(event.data.at, policies.calendar)
        const { communityId: community, serviceId } = event.data
        return [
          {
            collection: 'ratings',
            id: `${community}|${serviceId}|${month}`,
            by: { sum: event.data.score, count: 1 },
            onInsert: { community, serviceId, month },
          },
        ]
      }
      default:
        return []
    }
  },
})

export interface BoardEntry {
  readonly serviceId: string
  readonly name: string
  readonly kind: 'free' | 'paid'
  readonly priceFen: number
  /** What the service costs the company; for a free service, the value owners receive. */
  readonly disclosedCostFen: number
  readonly qualityStandard: string
  /** The packages (not retired) that include it. */
  readonly packages: readonly string[]
  /** Ratings in the months up to the board's month. */
  readonly recentRatings: number
  readonly recentAverage: number | null
}

/** Queries over the service-board read model that readers currently see. */
export const serviceBoardQueries = (readModels: ReadModelStore, policies: Policies = defaultPolicies) => ({
  /**
   * The board as of `asOf` (default now): services not retired, by name, with ratings from the
   * `months` local months up to `asOf`'s (default 3), in one community or in all. The catalogue is
   * the company's.
   */
  board: async (
    options: { readonly asOf?: string; readonly months?: number; readonly community?: string } = {},
  ): Promise<BoardEntry[]> => {
    const collection = (name: string) => readerCollection(readModels, serviceBoardName, name)
    const services = (await (
      await collection('services')
    ).find({ retired: { $eq: false } })) as BoardService[]
    const packages = (await (
      await collection('packages')
    ).find({ retired: { $eq: false } })) as BoardPackage[]
    const months = [monthOf(options.asOf ?? new Date().toISOString(), policies.calendar)]
    while (months.length < (options.months ?? 3)) months.push(previousPeriod(months.at(-1) as string))
    const ratings = (await (
      await collection('ratings')
    ).find({
      month: { $in: months },
      ...(options.community === undefined ? {} : { community: { $eq: options.community } }),
    })) as RatingMonth[]
    return services
      .map((s) => {
        const mine = ratings.filter((r) => r.serviceId === s._id)
        const count = mine.reduce((n, r) => n + r.count, 0)
        const sum = mine.reduce((n, r) => n + r.sum, 0)
        return {
          serviceId: s._id,
          name: s.name,
          kind: s.kind,
          priceFen: s.priceFen,
          disclosedCostFen: s.disclosedCostFen,
          qualityStandard: s.qualityStandard,
          packages: packages
            .filter((p) => p.serviceIds.includes(s._id))
            .map((p) => p.name)
            .sort(),
          recentRatings: count,
          recentAverage: count === 0 ? null : sum / count,
        }
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  },
})
