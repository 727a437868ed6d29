/**
 * The communities of the simulated company, each with a profile that shapes its story: a high-rise whose
 * owners complain about lifts, an old estate where fees are disputed and paid late, a garden estate in
 * between. More communities than profiles repeat them, numbered.
 */
import type { ComplaintCategory, ServiceGrade } from '@property-services/domain'

export interface SimulatedCommunity {
  readonly communityId: string
  readonly name: string
  readonly address: string
  readonly serviceGrade: ServiceGrade
  /** How often a complaint is of each category (drawn from this list). */
  readonly categories: readonly ComplaintCategory[]
  /** The share of a facilities complaint that is about a lift stopping. */
  readonly liftShare: number
  /** The chance that a bill is not paid at all. */
  readonly arrears: number
}

const profiles: readonly SimulatedCommunity[] = [
  {
    communityId: 'jade-garden',
    name: 'Jade Garden 翡翠花园',
    address: '88 Binjiang Road, Hangzhou',
    serviceGrade: 'grade-2',
    categories: ['facilities', 'facilities', 'management-service', 'fees', 'emergency'],
    liftShare: 0.2,
    arrears: 0.1,
  },
  {
    communityId: 'skyline-tower',
    name: 'Skyline Tower 天际大厦',
    address: '1 Qianjiang New Town, Hangzhou',
    serviceGrade: 'grade-1',
    categories: ['facilities', 'facilities', 'facilities', 'management-service', 'emergency'],
    liftShare: 0.7,
    arrears: 0.05,
  },
  {
    communityId: 'old-town',
    name: 'Old Town Estate 老城小区',
    address: '12 Zhongshan Road, Hangzhou',
    serviceGrade: 'grade-3',
    categories: ['fees', 'fees', 'fees', 'facilities', 'management-service'],
    liftShare: 0,
    arrears: 0.3,
  },
]

/** The first `count` communities of the simulated company. */
export const simulatedCommunities = (count: number): SimulatedCommunity[] =>
  Array.from({ length: count }, (_, i) => {
    const profile = profiles[i % profiles.length] as SimulatedCommunity
    const round = Math.floor(i / profiles.length)
    return round === 0
      ? profile
      : {
          ...profile,
          communityId: `${profile.communityId}-${round + 1}`,
          name: `${profile.name} ${round + 1}`,
        }
  })
