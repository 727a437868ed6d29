/**
 * Every cell of the role × command table in `permissions.ts` holds: in states where a command is
 * accepted from the actor the valid-history generator chose, the same command from each other actor is
 * accepted exactly when the table grants it, and refused as `NotAllowed` otherwise. Owners are tried
 * as the owner the command is about and as another owner.
 */
import {
  type AggregateName,
  aggregates,
  type Command,
  type CommandType,
  defaultPolicies,
  grantOf,
  permissions,
} from '@property-services/domain'
import { cast, castContext, historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const all = aggregates()
type Actor = Command['meta']['actor']

/**
 * The person a command is about: the owner its data names, the staff member answering a staff survey,
 * or owner-1, whom every history is about.
 */
const subjectOf = (command: Command): string =>
  (command.data as { ownerId?: string; staffId?: string }).ownerId ??
  (command.type === 'RecordStaffSurveyResponse' ? command.data.staffId : undefined) ??
  cast.owner.id

/** The owner the command is about, another owner, and every other role. */
const actorsFor = (command: Command): Actor[] => [
  { id: subjectOf(command), role: 'owner' },
  { id: 'owner-9', role: 'owner' },
  cast.staff,
  cast.manager,
  cast.system,
]

/** Whether the table lets `actor` issue `command`. Unit-1, which the histories use, is owner-1's. */
const expectedAllowed = (command: Command, actor: Actor): boolean => {
  switch (grantOf(command.type, actor.role)) {
    case undefined:
      return false
    case 'always':
      return true
    case 'self':
      return actor.id === subjectOf(command)
    case 'own-unit':
      return actor.id === subjectOf(command) && actor.id === castContext.unitOwner
    case 'within-limit':
      return (
        command.type !== 'AdjustBill' || -command.data.amountFen <= defaultPolicies.staffAdjustmentLimitFen
      )
  }
}

/** The cell of the table an attempt exercises: owners are the subject or another owner. */
const cellOf = (command: Command, actor: Actor): string =>
  `${command.type}/${actor.role === 'owner' ? (actor.id === subjectOf(command) ? 'owner (self)' : 'owner (other)') : actor.role}`

describe('the role × command table', () => {
  const cells = new Set<string>()

  it.each(Object.keys(all) as AggregateName[])('holds for every %s command and role', (name) => {
    const decider = all[name].decider as unknown as {
      initialState: unknown
      decide: (c: Command, s: unknown, ctx: unknown) => E.Either<{ _tag: string }, readonly unknown[]>
    }
    fc.assert(
      fc.property(historyArbitrary(name, { mode: 'valid', maxSteps: 25 }), (history) => {
        let before = decider.initialState
        for (const attempt of history.attempts) {
          if (E.isRight(attempt.outcome)) {
            for (const actor of actorsFor(attempt.command)) {
              const command = { ...attempt.command, meta: { ...attempt.command.meta, actor } } as Command
              const outcome = decider.decide(command, before, castContext)
              const allowed = expectedAllowed(command, actor)
              expect({ type: command.type, actor: actor.id, outcome: outcome._tag }).toEqual({
                type: command.type,
                actor: actor.id,
                outcome: allowed ? 'Right' : 'Left',
              })
              if (!allowed) expect(E.isLeft(outcome) && outcome.left._tag).toBe('NotAllowed')
              cells.add(cellOf(command, actor))
            }
          }
          before = attempt.stateAfter
        }
      }),
      { numRuns: 60 },
    )
  })

  it('was checked in every cell', () => {
    const expected = (Object.keys(permissions) as CommandType[]).flatMap((type) =>
      ['owner (self)', 'owner (other)', 'staff', 'manager', 'system'].map((who) => `${type}/${who}`),
    )
    expect(expected.filter((cell) => !cells.has(cell))).toEqual([])
  })
})
