/** Scripts of generated histories: communities (小区). */
import type { CommunityState } from '@property-services/domain'
import { actorFor, build, cast, pickOf, type Script, text } from './script.js'

const timeZones = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong'] as const

export const communityScript: Script<CommunityState> = {
  next: (s) => (s.status === 'none' ? ['RegisterCommunity'] : ['ChangeCommunityProfile']),
  build: (type, _state, env) => {
    const { pick, flag } = env.step
    return build(
      type as 'RegisterCommunity',
      {
        communityId: cast.communityId,
        name: text('Garden', env),
        address: text('No. 1 Road', env),
        timeZone: pickOf(timeZones, pick),
        calendar: {
          weekendDays: flag ? [0, 6] : [0],
          holidays: pick % 2 === 0 ? [] : [env.at.slice(0, 10)],
          extraWorkingDays: [],
        },
        serviceGrade: pickOf(['grade-1', 'grade-2', 'grade-3'] as const, pick >> 2),
      },
      actorFor(env, flag ? cast.manager : cast.communityManager),
    )
  },
}
