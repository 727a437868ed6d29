/**
 * The handler generic over one decider: it handles that aggregate's commands alone, calls the hooks the
 * wiring gives it, and its source names no command or event of the domain.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aggregates, type Command, type Event } from '@property-services/domain'
import { deciderCommandHandler, inMemoryEventStore } from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const staff = { actor: { id: 'staff-1', role: 'staff' as const } }
const all = aggregates()

describe('deciderCommandHandler', () => {
  it("handles one aggregate's commands with the hooks it is given, and refuses others", async () => {
    const store = inMemoryEventStore()
    const appended: string[] = []
    const decided: string[] = []
    const refusedIn: string[] = []
    const { handle } = deciderCommandHandler({
      store,
      aggregate: all.survey,
      clock: () => new Date('2026-06-01T02:00:00.000Z'),
      hooks: {
        contextFor: async (command: Command) => {
          decided.push(command.type)
          return {}
        },
        afterAppend: async (events: readonly Event[]) => {
          appended.push(...events.map((e) => e.type))
        },
        afterRefusal: async (_command, state) => {
          refusedIn.push((state as { status: string }).status)
        },
      },
    })
    const open = {
      type: 'OpenSurvey',
      commandId: 's1',
      data: { surveyId: 'h1', communityId: 'community-1', period: '2026-H1', dimensions: ['cleanliness'] },
    }
    expect(E.isRight(await handle(open, staff))).toBe(true)
    // The same command id again: a repeat, and what follows an append runs again.
    expect(await handle(open, staff)).toMatchObject({ right: { duplicate: true } })
    const again = await handle({ ...open, commandId: 's2' }, staff)
    expect(E.isLeft(again) && again.left._tag).toBe('WrongState')
    // Before each decision: the first, and the refused one twice (on the cached fold, then on a fresh read).
    expect(decided).toEqual(['OpenSurvey', 'OpenSurvey', 'OpenSurvey'])
    expect(appended).toEqual(['SurveyOpened', 'SurveyOpened'])
    expect(refusedIn).toEqual(['open'])
    // Another aggregate's command is not this handler's: refused at its type, nothing stored.
    const other = await handle(
      {
        type: 'RegisterUnit',
        commandId: 'u1',
        data: {
          unitId: 'u1',
          communityId: 'community-1',
          building: '1',
          number: '101',
          floorAreaCm2: 800_000,
        },
      },
      staff,
    )
    expect(E.isLeft(other) && other.left._tag === 'DecodeError' && other.left.issues[0]?.path).toBe('type')
    expect(await store.countAfter()).toBe(1)
  })

  it('names no command or event of the domain in its source', () => {
    const source = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../src/commands/deciderHandler.ts'),
      'utf8',
    )
    const names = Object.values(all).flatMap((a) => [...a.commandTypes, ...a.eventTypes] as string[])
    expect(names.length).toBeGreaterThan(100)
    expect(names.filter((name) => new RegExp(`\\b${name}\\b`).test(source))).toEqual([])
  })
})
