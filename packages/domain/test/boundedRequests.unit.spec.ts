import { decodeRequest, limits } from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const dispatch = (data: object, extra: object = {}) => ({
  type: 'DispatchComplaint',
  commandId: 'c1',
  data: { complaintId: 'k1', department: 'engineering', dueBy: '2026-03-03T01:00:00+08:00', ...data },
  ...extra,
})
const pathsOf = (input: unknown) => {
  const result = decodeRequest(input)
  return E.isLeft(result) ? result.left.issues.map((i) => i.path) : []
}

describe('requests are exact and bounded', () => {
  it('accepts the largest values the bounds allow', () => {
    expect(E.isRight(decodeRequest(dispatch({ department: '界'.repeat(limits.shortTextLength) })))).toBe(true)
    const bill = {
      type: 'IssueBill',
      commandId: 'c2',
      data: {
        unitId: 'u1',
        billId: 'b1',
        period: '2199-12',
        dueDate: '2199-12-31',
        lines: [{ item: 'special-repair', description: 'lock', amountFen: limits.maxFen }],
      },
    }
    expect(E.isRight(decodeRequest(bill))).toBe(true)
  })

  it.each([
    ['an unknown field in the data', dispatch({ ownerPhone: '139' }), 'data.ownerPhone'],
    ['an operator as a field', dispatch({ $where: '1' }), 'data.$where'],
    ['a dotted field', dispatch({ 'a.b': 1 }), 'data.a.b'],
    ['an actor beside the data', dispatch({}, { actor: { id: 'm', role: 'manager' } }), 'actor'],
    ['metadata beside the data', dispatch({}, { meta: { actor: { id: 'm', role: 'manager' } } }), 'meta'],
    ['a department of 201 characters', dispatch({ department: 'x'.repeat(201) }), 'data.department'],
    ['a NUL in a department', dispatch({ department: 'a\u0000b' }), 'data.department'],
    ['a line break in a department', dispatch({ department: 'a\nb' }), 'data.department'],
    ['a lone surrogate', dispatch({ department: 'a\ud800' }), 'data.department'],
    ['a blank department', dispatch({ department: '   ' }), 'data.department'],
    ['a date in 9999', dispatch({ dueBy: '9999-12-31T23:59:59Z' }), 'data.dueBy'],
    ['a date before 2000', dispatch({ dueBy: '1999-12-31T23:59:59Z' }), 'data.dueBy'],
    ['an expanded year', dispatch({ dueBy: '+275760-09-13T00:00:00Z' }), 'data.dueBy'],
    ['a business time without an offset', dispatch({}, { occurredAt: '2026-03-02T10:00:00' }), 'occurredAt'],
    ['an id starting with an underscore', dispatch({ complaintId: '__proto__' }), 'data.complaintId'],
  ])('refuses %s, naming the path', (_what, input, path) => {
    expect(pathsOf(input)).toContain(path)
  })

  it('refuses a key of a record that is not one of its keys, instead of leaving it out', () => {
    const response = (scores: object) => ({
      type: 'RecordSurveyResponse',
      commandId: 'c5',
      data: { surveyId: 's1', ownerId: 'o1', scores },
    })
    expect(E.isRight(decodeRequest(response({ cleanliness: 4 })))).toBe(true)
    expect(pathsOf(response({ cleanliness: 4, 'not a dimension': 5 }))).toContain(
      'data.scores.not a dimension',
    )
    expect(pathsOf(response({ '': 5 }))).toContain('data.scores.')
  })

  it('refuses amounts past the bound and counts that are not whole', () => {
    const payment = (amountFen: unknown) => ({
      type: 'RecordPayment',
      commandId: 'c3',
      data: { unitId: 'u1', paymentId: 'p1', amountFen },
    })
    for (const amount of [limits.maxFen + 1, Number.MAX_SAFE_INTEGER, 1e15, -1, 1.5, Number.NaN, '100'])
      expect(pathsOf(payment(amount))).toEqual(['data.amountFen'])
  })

  it('refuses input nested too deep or too large before decoding it, without throwing', () => {
    let deep: unknown = 1
    for (let i = 0; i < 5_000; i++) deep = { a: deep }
    expect(() => decodeRequest(dispatch({ department: deep }))).not.toThrow()
    expect(decodeRequest(dispatch({ department: deep }))).toMatchObject({
      left: { issues: [{ expected: 'smaller input', actual: expect.stringMatching(/nested deeper/) }] },
    })
    const wide = {
      ...dispatch({}),
      data: { ...dispatch({}).data, list: Array.from({ length: 50_000 }, () => 1) },
    }
    expect(decodeRequest(wide)).toMatchObject({
      left: { issues: [{ actual: expect.stringMatching(/more than/) }] },
    })
    // Arrays with holes are input too: a hole is a missing value, refused like any other.
    const lines: unknown[] = [{ item: 'special-repair', description: 'lock', amountFen: 1 }]
    lines.length = 3
    const sparse = {
      type: 'IssueBill',
      commandId: 'c4',
      data: { unitId: 'u1', billId: 'b1', period: '2026-03', dueDate: '2026-03-31', lines },
    }
    expect(() => decodeRequest(sparse)).not.toThrow()
    expect(pathsOf(sparse)).toContain('data.lines.1')
  })

  it('refuses arrays longer than their bound', () => {
    const visit = (needs: number) => ({
      type: 'RecordOwnerVisit',
      commandId: 'c5',
      data: { ownerId: 'o1', needs: Array.from({ length: needs }, (_, i) => `need ${i}`) },
    })
    expect(E.isRight(decodeRequest(visit(20)))).toBe(true)
    expect(pathsOf(visit(21))).toEqual(['data.needs'])
  })
})
