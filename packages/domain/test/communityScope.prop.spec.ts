/**
 * The role × community matrix: a principal scoped to communities acts in those only, with the role it
 * holds in each; a principal without a scope acts everywhere with its company-level role. Tried on every
 * command the valid histories accept (all about community-1), from principals of every shape.
 */
import {
  type Actor,
  type AggregateName,
  aggregates,
  type Command,
  type CommunityRole,
  defaultPolicies,
  grantOf,
  type Role,
} from '@property-services/domain'
import { cast, castContext, historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const all = aggregates()

/** What belongs to no community: the company's catalogue, its staff and their training. */
const companyLevel: ReadonlySet<AggregateName> = new Set([
  'service',
  'servicePackage',
  'staffMember',
  'staffSurvey',
  'course',
])

const scopeArbitrary: fc.Arbitrary<Actor> = fc
  .record({
    role: fc.constantFrom<Role>('staff', 'manager', 'system'),
    scoped: fc.boolean(),
    home: fc.option(fc.constantFrom<CommunityRole>('staff', 'manager'), { nil: undefined }),
    elsewhere: fc.option(fc.constantFrom<CommunityRole>('staff', 'manager'), { nil: undefined }),
  })
  .map(({ role, scoped, home, elsewhere }) => {
    const communities = {
      ...(home === undefined ? {} : { [cast.communityId]: home }),
      ...(elsewhere === undefined ? {} : { 'community-2': elsewhere }),
    }
    // A scope names at least one community.
    return scoped && Object.keys(communities).length > 0
      ? { id: 'staff-9', role, communities }
      : { id: 'staff-9', role }
  })

/** The role the matrix says the actor holds for a command of `aggregate`, about community-1. */
const expectedRole = (aggregate: AggregateName, actor: Actor): Role | undefined =>
  actor.communities === undefined || companyLevel.has(aggregate)
    ? actor.role
    : actor.communities[cast.communityId]

const allowedAs = (command: Command, role: Role | undefined): boolean => {
  if (role === undefined) return false
  const grant = grantOf(command.type, role)
  if (grant === 'within-limit')
    return command.type !== 'AdjustBill' || -command.data.amountFen <= defaultPolicies.staffAdjustmentLimitFen
  // `self` and `own-unit` grants never hold: the principal here, staff-9, is no one a command is about.
  return grant === 'always'
}

describe('the role × community matrix', () => {
  const seen = { inScope: 0, outOfScope: 0, companyLevel: 0 }

  it.each(Object.keys(all) as AggregateName[])('holds for every %s command', (name) => {
    const decider = all[name].decider as unknown as {
      initialState: unknown
      decide: (c: Command, s: unknown, ctx: unknown) => E.Either<{ _tag: string; message: string }, unknown>
    }
    fc.assert(
      fc.property(
        historyArbitrary(name, { mode: 'valid', maxSteps: 15 }),
        fc.array(scopeArbitrary, { minLength: 4, maxLength: 8 }),
        (history, actors) => {
          let before = decider.initialState
          for (const attempt of history.attempts) {
            if (E.isRight(attempt.outcome))
              for (const actor of actors) {
                const command = { ...attempt.command, meta: { ...attempt.command.meta, actor } } as Command
                const outcome = decider.decide(command, before, castContext)
                const role = expectedRole(name, actor)
                const allowed = allowedAs(command, role)
                expect({ command: command.type, actor, outcome: outcome._tag }).toEqual({
                  command: command.type,
                  actor,
                  outcome: allowed ? 'Right' : 'Left',
                })
                if (!allowed) expect(E.isLeft(outcome) && outcome.left._tag).toBe('NotAllowed')
                if (role === undefined && E.isLeft(outcome))
                  expect(outcome.left.message).toContain(`does not act in community ${cast.communityId}`)
                if (companyLevel.has(name)) seen.companyLevel++
                else if (actor.communities === undefined) continue
                else if (role === undefined) seen.outOfScope++
                else seen.inScope++
              }
            before = attempt.stateAfter
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it('was tried in scope, out of scope and at company level', () => {
    expect(seen.inScope).toBeGreaterThan(100)
    expect(seen.outOfScope).toBeGreaterThan(100)
    expect(seen.companyLevel).toBeGreaterThan(100)
  })
})
