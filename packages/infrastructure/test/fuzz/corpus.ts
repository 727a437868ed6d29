/**
 * Inputs a hostile or careless caller could send the command handler: requests from valid histories
 * (so that commands reach deep into each aggregate's lifecycle), well-formed requests of every type,
 * those mutated with hostile values at any path, and junk. Each comes with a principal, usually a real
 * one, sometimes one an embedding backend should never pass.
 */
import { type AggregateName, aggregates, type Command, limits } from '@property-services/domain'
import { anyRequest, cast, historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'

export interface FuzzInput {
  readonly request: unknown
  readonly principal: unknown
  readonly label: string
}

const deep = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

/** Values that broke earlier versions, or would break a careless one. */
export const hostileValues: readonly unknown[] = [
  '',
  '   ',
  'a\u0000b',
  '\ud800',
  'x'.repeat(limits.freeTextLength + 1),
  'x'.repeat(100_000),
  Number.MAX_SAFE_INTEGER,
  1e15,
  limits.maxFen + 1,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '1999-12-31T23:59:59Z',
  '2026-02-30T01:00:00Z',
  '0',
  null,
  true,
  {},
  [],
  { $where: '1' },
  { $gt: '' },
  deep(5_000),
  Array.from({ length: 30_000 }, () => 1),
  '__proto__',
  'constructor',
  'owner-1',
  'manager',
]

const hostileKeys = [
  '$where',
  'a.b',
  'ownerPhone',
  '__proto__',
  'meta',
  'actor',
  'impersonating',
  'recordedAt',
]

const principals: readonly unknown[] = [
  { actor: cast.owner },
  { actor: cast.otherOwner },
  { actor: cast.staff },
  { actor: cast.manager },
  { actor: cast.system },
]
const hostilePrincipals: readonly unknown[] = [
  undefined,
  null,
  {},
  { actor: { id: 'x', role: 'root' } },
  { actor: { id: 'owner-1', role: 'owner', impersonating: 'manager' } },
  { actor: { id: '', role: 'staff' } },
  { actor: { id: 'a\u0000b', role: 'staff' } },
  { actor: 'manager' },
]

const setOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true })

/** The objects inside a value, each with its path, for a mutation to pick from. */
const objectsIn = (value: unknown): Record<string, unknown>[] => {
  const found: Record<string, unknown>[] = []
  const walk = (v: unknown, depth: number) => {
    if (typeof v !== 'object' || v === null || depth > 6) return
    found.push(v as Record<string, unknown>)
    for (const child of Object.values(v)) walk(child, depth + 1)
  }
  walk(value, 0)
  return found
}

interface Mutation {
  readonly kind: 'replace' | 'add' | 'remove' | 'retype' | 'time'
  readonly pick: number
  readonly value: unknown
  readonly key: string
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'add', 'remove', 'retype', 'time'),
  pick: fc.nat(),
  value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hostileValues) }, fc.jsonValue({ maxDepth: 2 })),
  key: fc.constantFrom(...hostileKeys),
})

const typeNames = Object.values(aggregates()).flatMap((a) => a.commandTypes as readonly string[])

/** Applies one mutation to a deep copy of the request. */
export const mutate = (request: unknown, mutation: Mutation): unknown => {
  const copy = JSON.parse(JSON.stringify(request)) as Record<string, unknown>
  const objects = objectsIn(copy)
  const target = objects[mutation.pick % objects.length] as Record<string, unknown>
  const keys = Object.keys(target)
  const key = keys.length > 0 ? (keys[mutation.pick % keys.length] as string) : mutation.key
  switch (mutation.kind) {
    case 'replace':
      setOwn(target, key, mutation.value)
      break
    case 'add':
      setOwn(target, mutation.key, mutation.value)
      break
    case 'remove':
      delete target[key]
      break
    case 'retype':
      copy.type = typeNames[mutation.pick % typeNames.length]
      break
    case 'time':
      copy.occurredAt = mutation.value
      break
  }
  return copy
}

const requestOf = (command: Command) => ({
  type: command.type,
  commandId: command.meta.commandId,
  data: command.data,
})

const names = Object.keys(aggregates()) as AggregateName[]

/**
 * The field naming each aggregate instance that a history may rename, so that every history starts on
 * fresh streams. Units and owners keep their ids: the store's unit-1 belongs to owner-1, as in the
 * histories, so that owners' commands are decided against who really owns the unit.
 */
const renamable: Partial<Record<AggregateName, string>> = {
  complaint: 'complaintId',
  serviceOrder: 'orderId',
  service: 'serviceId',
  servicePackage: 'packageId',
  sharedCost: 'sharedCostId',
  survey: 'surveyId',
  meeting: 'meetingId',
  staffSurvey: 'surveyId',
  staffMember: 'staffId',
  course: 'courseId',
  correctiveAction: 'actionId',
}

/** Requests from valid histories of every aggregate, with the actor each was valid for. */
const fromHistories: fc.Arbitrary<FuzzInput[]> = fc
  .tuple(fc.constantFrom(...names), fc.nat())
  .chain(([name, salt]) =>
    historyArbitrary(name, { mode: 'valid', maxSteps: 20 }).map((history) =>
      history.attempts.map((attempt, i) => {
        const field = renamable[name]
        const data = attempt.command.data as Record<string, unknown>
        return {
          request: {
            ...requestOf(attempt.command),
            commandId: `h${salt}-${i}`,
            data: field === undefined ? data : { ...data, [field]: `${String(data[field])}-${salt}` },
          },
          principal: { actor: attempt.command.meta.actor },
          label: 'history',
        }
      }),
    ),
  )

/** What the store holds before the fuzz: community-1, and unit-1 in it owned by owner-1, as the histories assume. */
export const fuzzSetUp: readonly FuzzInput[] = [
  {
    request: {
      type: 'RegisterCommunity',
      commandId: 'setup-0',
      data: {
        communityId: cast.communityId,
        name: 'Community 1',
        address: '1 Road',
        timeZone: 'Asia/Shanghai',
        calendar: { weekendDays: [0, 6], holidays: [], extraWorkingDays: [] },
        serviceGrade: 'grade-2',
      },
    },
    principal: { actor: cast.manager },
    label: 'setup',
  },
  {
    request: {
      type: 'RegisterUnit',
      commandId: 'setup-1',
      data: {
        unitId: cast.unitId,
        communityId: cast.communityId,
        building: '1',
        number: '101',
        floorAreaCm2: 800_000,
      },
    },
    principal: { actor: cast.staff },
    label: 'setup',
  },
  {
    request: {
      type: 'AssignUnitOwner',
      commandId: 'setup-2',
      data: { unitId: cast.unitId, ownerId: cast.owner.id },
    },
    principal: { actor: cast.staff },
    label: 'setup',
  },
]

const wellFormed: fc.Arbitrary<FuzzInput> = fc
  .tuple(anyRequest, fc.constantFrom(...principals))
  .map(([request, principal]) => ({ request, principal, label: 'well-formed' }))

/** The corpus: `count` inputs, the same for the same seed. */
export const fuzzCorpus = (count: number, seed: number): FuzzInput[] => {
  const corpus: FuzzInput[] = []
  let round = 0
  while (corpus.length < count) {
    const options = { seed: seed + round++, numRuns: 1 }
    const [histories] = fc.sample(fc.array(fromHistories, { minLength: 6, maxLength: 6 }), options)
    const valid = (histories ?? []).flat()
    corpus.push(...valid)
    const [mutations] = fc.sample(
      fc.array(mutationArbitrary, { minLength: valid.length, maxLength: valid.length }),
      options,
    )
    valid.forEach((input, i) => {
      const mutation = (mutations ?? [])[i] as Mutation
      corpus.push({ ...input, request: mutate(input.request, mutation), label: `mutated (${mutation.kind})` })
    })
    const [others] = fc.sample(
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: wellFormed },
          {
            weight: 3,
            arbitrary: fc.tuple(wellFormed, mutationArbitrary).map(([input, mutation]) => ({
              ...input,
              request: mutate(input.request, mutation),
              label: `mutated (${mutation.kind})`,
            })),
          },
          {
            weight: 1,
            arbitrary: fc.record({
              request: fc.anything(),
              principal: fc.constantFrom(...principals),
              label: fc.constant('junk'),
            }),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(wellFormed, fc.constantFrom(...hostilePrincipals))
              .map(([input, principal]) => ({ ...input, principal, label: 'hostile principal' })),
          },
        ),
        { minLength: 40, maxLength: 40 },
      ),
      options,
    )
    corpus.push(...(others ?? []))
  }
  return corpus.slice(0, count)
}
