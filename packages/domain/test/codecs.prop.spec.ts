import {
  type CommandType,
  commandCodecs,
  decodeCommand,
  decodeEvent,
  decodeRequest,
  type EventType,
  eventCodecs,
  requestCodecs,
} from '@property-services/domain'
import { anyCommand, anyEvent, commandArbitrary, eventArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe('codecs', () => {
  it.each(Object.keys(commandCodecs) as CommandType[])(
    'round-trips every generated %s through JSON',
    (type) => {
      fc.assert(
        fc.property(commandArbitrary(type), (command) => {
          const codec = commandCodecs[type]!
          expect(codec.is(command)).toBe(true)
          expect(decodeCommand(throughJson(codec.encode(command)))).toEqual(E.right(command))
        }),
        { numRuns: 50 },
      )
    },
  )

  it.each(Object.keys(eventCodecs) as EventType[])('round-trips every generated %s through JSON', (type) => {
    fc.assert(
      fc.property(eventArbitrary(type), (event) => {
        const codec = eventCodecs[type]!
        expect(codec.is(event)).toBe(true)
        expect(decodeEvent(throughJson(codec.encode(event)))).toEqual(E.right(event))
      }),
      { numRuns: 50 },
    )
  })

  // decodeRequest, decodeCommand and decodeEvent answer a value the guard accepts as it is, without
  // decoding it: that is only right while every codec accepts with `is` exactly what it decodes, and
  // decodes it unchanged.
  it('accepts with its guard exactly what it decodes, and decodes that unchanged', () => {
    type Message = { type: string; [field: string]: unknown }
    const anyRequest = anyCommand.map(
      (command): Message => ({
        type: command.type,
        commandId: command.meta.commandId,
        data: command.data,
        correlationId: command.meta.correlationId,
        occurredAt: command.meta.occurredAt,
      }),
    )
    const valid = fc.oneof(
      anyRequest.map((message) => ['request', message] as const),
      anyCommand.map((message) => ['command', message as Message] as const),
      anyEvent.map((message) => ['event', message as Message] as const),
    )
    // Somewhere in the message, at any depth: a value replaced by anything, a field of any name added,
    // or an array item made a hole.
    const containers = (value: unknown): unknown[] =>
      typeof value === 'object' && value !== null ? [value, ...Object.values(value).flatMap(containers)] : []
    const junk = fc.anything({ withSparseArray: true, withNullPrototype: true, withBoxedValues: true })
    const corrupted = fc
      .tuple(
        valid,
        junk,
        fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', ' ', '')),
        fc.nat(),
        fc.constantFrom('replace', 'add', 'hole'),
      )
      .map(([[kind, original], value, name, n, how]) => {
        const message = structuredClone(original)
        const all = containers(message) as Record<string, unknown>[]
        const target = all[n % all.length]!
        const keys = Object.keys(target).filter((key) => target !== message || key !== 'type')
        const key = keys[n % Math.max(1, keys.length)]
        if (how === 'hole' && Array.isArray(target) && target.length > 0) delete target[n % target.length]
        else if (how === 'replace' && key !== undefined) target[key] = value
        // (An array's `length` is no field to add: redefining it throws.)
        else if (!(Array.isArray(target) && name === 'length'))
          Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
        return [kind, message] as const
      })
    const codecs = { request: requestCodecs, command: commandCodecs, event: eventCodecs }
    fc.assert(
      fc.property(fc.oneof(valid, corrupted), ([kind, message]) => {
        const codec = (codecs[kind] as Record<string, (typeof eventCodecs)[string]>)[message.type]!
        const decoded = codec.decode(message)
        expect(codec.is(message)).toBe(E.isRight(decoded))
        if (E.isRight(decoded)) expect(decoded.right).toEqual(message)
      }),
      { numRuns: 3_000 },
    )
  })

  it('never throws on random junk, and rejects it with issues', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        const command = decodeCommand(junk)
        const event = decodeEvent(junk)
        if (E.isLeft(command)) expect(command.left.issues.length).toBeGreaterThan(0)
        if (E.isLeft(event)) expect(event.left.issues.length).toBeGreaterThan(0)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws on a well-typed message with one field corrupted', () => {
    const corrupted = fc
      .tuple(fc.oneof(anyCommand, anyEvent), fc.anything(), fc.nat())
      .map(([message, junk, n]) => {
        const data = { ...(message.data as Record<string, unknown>) }
        const keys = Object.keys(data)
        if (keys.length > 0) data[keys[n % keys.length]!] = junk
        return { ...message, data }
      })
    fc.assert(
      fc.property(corrupted, (message) => {
        expect(() => decodeCommand(message)).not.toThrow()
        expect(() => decodeEvent(message)).not.toThrow()
      }),
      { numRuns: 300 },
    )
  })
})

describe('decoding errors', () => {
  const valid = {
    type: 'FileComplaint',
    commandId: 'c1',
    data: {
      complaintId: 'k1',
      ownerId: 'owner-1',
      unitId: 'unit-1',
      category: 'facilities',
      subject: 'lift-stoppage',
      channel: 'phone',
      description: 'lift stuck',
    },
  }

  it('accepts a well-formed request', () => {
    expect(E.isRight(decodeRequest(valid))).toBe(true)
  })

  it('names the path and what was expected', () => {
    const result = decodeRequest({ ...valid, data: { ...valid.data, category: 'plumbing' } })
    expect(result).toMatchObject({
      _tag: 'Left',
      left: {
        _tag: 'DecodeError',
        subject: 'command FileComplaint',
        issues: [{ path: 'data.category', expected: 'ComplaintCategory', actual: '"plumbing"' }],
      },
    })
  })

  it('names nested metadata fields of a whole command', () => {
    const command = {
      type: valid.type,
      data: valid.data,
      meta: {
        commandId: 'c1',
        correlationId: 'c1',
        actor: { id: 'x', role: 'tenant' },
        occurredAt: '2026-03-02T01:00:00.000Z',
        recordedAt: '2026-03-02T01:00:00.000Z',
      },
    }
    const result = decodeCommand(command)
    expect(E.isLeft(result) && result.left.issues.map((i) => i.path)).toEqual(['meta.actor.role'])
  })

  it('lists the known types for an unknown type', () => {
    const result = decodeRequest({ ...valid, type: 'SueTheCompany' })
    expect(E.isLeft(result) && result.left.issues[0]).toMatchObject({
      path: 'type',
      actual: '"SueTheCompany"',
    })
    expect(E.isLeft(result) && result.left.issues[0]?.expected).toContain('FileComplaint')
  })

  it('rejects impossible dates and fractional money', () => {
    const badDate = decodeRequest({ ...valid, occurredAt: '2026-02-30T01:00:00Z' })
    expect(E.isLeft(badDate) && badDate.left.issues[0]?.path).toBe('occurredAt')
    const payment = {
      type: 'RecordPayment',
      commandId: 'c2',
      data: { unitId: 'unit-1', paymentId: 'p1', amountFen: 10.5 },
    }
    expect(
      E.isLeft(decodeRequest(payment)) &&
        (decodeRequest(payment) as E.Left<{ message: string }>).left.message,
    ).toMatch(/data\.amountFen expected Fen, got 10\.5/)
  })
})
