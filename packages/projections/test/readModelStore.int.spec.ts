import type { ReadModelStore } from '@property-services/projections'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StoreTarget, storeTargets } from './support.js'

describe.each(storeTargets)('read-model store contract: %s', (_name, make) => {
  let target: StoreTarget
  let store: ReadModelStore
  beforeAll(async () => {
    target = await make()
    store = target.store
  })
  afterAll(async () => target.cleanup())

  it('puts whole documents, finds them by id and by filter, sorted and limited', async () => {
    const c = store.collection('contract_things')
    await c.write([
      { kind: 'put', doc: { _id: 'b', month: '2026-02', n: 2, tags: ['x'], nested: { k: 'v' } } },
      { kind: 'put', doc: { _id: 'a', month: '2026-01', n: 5, tags: [], nested: { k: 'w' } } },
      { kind: 'put', doc: { _id: 'c', month: '2026-03', n: 1, tags: ['y'], nested: { k: 'v' } } },
    ])
    expect((await c.findByIds(['c', 'a', 'zzz'])).map((d) => d._id).sort()).toEqual(['a', 'c'])
    expect((await c.find()).map((d) => d._id)).toEqual(['a', 'b', 'c'])
    expect((await c.find({ month: { $gte: '2026-02' } })).map((d) => d._id)).toEqual(['b', 'c'])
    expect((await c.find({ month: { $gt: '2026-01', $lt: '2026-03' } })).map((d) => d._id)).toEqual(['b'])
    expect((await c.find({ n: { $in: [1, 5] } }, { sort: { n: -1 } })).map((d) => d._id)).toEqual(['a', 'c'])
    expect(
      (await c.find({ 'nested.k': { $eq: 'v' } }, { sort: { n: 1 }, limit: 1 })).map((d) => d._id),
    ).toEqual(['c'])
    expect(await c.findByIds(['b'])).toEqual([
      { _id: 'b', month: '2026-02', n: 2, tags: ['x'], nested: { k: 'v' } },
    ])
  })

  it('refuses a limit that is not a whole number of at least one (MongoDB reads 0 as no limit at all)', async () => {
    const collection = store.collection('limits')
    await collection.write([1, 2, 3].map((n) => ({ kind: 'put', doc: { _id: `d${n}`, n } })))
    for (const limit of [0, -1, 1.5, Number.NaN])
      await expect(collection.find({}, { limit })).rejects.toThrow(
        new RangeError(`find: limit must be a whole number of at least 1, got ${limit}`),
      )
    expect(await collection.find({}, { limit: 2 })).toEqual([
      { _id: 'd1', n: 1 },
      { _id: 'd2', n: 2 },
    ])
  })

  it('replaces and deletes in order within one write', async () => {
    const c = store.collection('contract_order')
    await c.write([
      { kind: 'put', doc: { _id: 'a', v: 1 } },
      { kind: 'put', doc: { _id: 'a', v: 2 } },
      { kind: 'put', doc: { _id: 'b', v: 1 } },
      { kind: 'delete', id: 'b' },
      { kind: 'delete', id: 'never-there' },
    ])
    expect(await c.find()).toEqual([{ _id: 'a', v: 2 }])
    await c.drop()
    expect(await c.find()).toEqual([])
    await c.drop()
  })

  it('takes hundreds of inserts and replacements in one write (FerretDB 1.24 stalls on 100+ per command)', async () => {
    const c = store.collection('contract_many')
    const docs = Array.from({ length: 250 }, (_, i) => ({ _id: `d${String(i).padStart(3, '0')}`, n: i }))
    await c.write(docs.map((doc) => ({ kind: 'insert' as const, doc })))
    await c.write(docs.map((doc) => ({ kind: 'put' as const, doc: { ...doc, n: doc.n * 2 } })))
    const found = await c.findByIds(docs.map((d) => d._id))
    expect(found).toHaveLength(250)
    expect(found.reduce((sum, d) => sum + (d.n as number), 0)).toBe(2 * ((249 * 250) / 2))
  })

  it('refuses to insert a document that exists', async () => {
    const c = store.collection('contract_insert')
    await c.write([{ kind: 'insert', doc: { _id: 'a', v: 1 } }])
    await expect(c.write([{ kind: 'insert', doc: { _id: 'a', v: 2 } }])).rejects.toThrow(/duplicate key/i)
    expect(await c.find()).toEqual([{ _id: 'a', v: 1 }])
  })

  it('matches null for fields that are null', async () => {
    const c = store.collection('contract_nulls')
    await c.write([
      { kind: 'put', doc: { _id: 'a', repliedAt: null, due: '2026-01-02' } },
      { kind: 'put', doc: { _id: 'b', repliedAt: '2026-01-01', due: '2026-01-02' } },
    ])
    expect(
      (await c.find({ repliedAt: { $eq: null }, due: { $lt: '2026-01-03' } })).map((d) => d._id),
    ).toEqual(['a'])
  })

  it('treats untrusted values as values, never as operators or field names', async () => {
    const c = store.collection('contract_untrusted')
    await c.write([
      { kind: 'put', doc: { _id: '$where', name: '{"$gt": ""}', note: '$ne' } },
      { kind: 'put', doc: { _id: 'plain', name: 'Li Lei', note: 'x' } },
    ])
    expect((await c.find({ name: { $eq: { $gt: '' } } })).map((d) => d._id)).toEqual([])
    expect((await c.find({ note: { $eq: '$ne' } })).map((d) => d._id)).toEqual(['$where'])
    expect((await c.findByIds(['$where'])).map((d) => d.name)).toEqual(['{"$gt": ""}'])
    await expect(c.find({ $where: { $eq: 'x' } })).rejects.toThrow(/not a read-model field name/)
    await expect(c.find({}, { sort: { 'a.$b': 1 } })).rejects.toThrow(/not a read-model field name/)
    expect(() => store.collection('bad.name$')).toThrow(/not a read-model collection name/)
  })

  it('increments counters, creating the document, and never applies one batch twice', async () => {
    const c = store.collection('contract_counters')
    const inc = (id: string, n: number, batch: string) =>
      ({ kind: 'increment', id, by: { n, m: 1 }, onInsert: { key: id }, batch }) as const
    await c.write([inc('a', 2, '001'), inc('b', 5, '001')])
    await c.write([inc('a', 3, '002')])
    expect((await c.findByIds(['a']))[0]).toMatchObject({ _id: 'a', key: 'a', n: 5, m: 2, _batch: '002' })
    // The same batch again, or an earlier one: refused, nothing changes.
    await expect(c.write([inc('a', 3, '002')])).rejects.toThrow(/duplicate key|E11000/i)
    await expect(c.write([inc('b', 7, '000')])).rejects.toThrow(/duplicate key|E11000/i)
    expect((await c.find()).map(({ _id, n, m }) => [_id, n, m])).toEqual([
      ['a', 5, 2],
      ['b', 5, 1],
    ])
    expect((await c.find({ _id: { $in: ['a', 'b'] }, _batch: { $gte: '002' } })).map((d) => d._id)).toEqual([
      'a',
    ])
  })

  it('compares and sets one document: inserts when absent, replaces only when it matches', async () => {
    const c = store.collection('contract_cas')
    expect(await c.compareAndSet({ _id: 'l', lease: { token: 1 } }, 'absent')).toBe(true)
    expect(await c.compareAndSet({ _id: 'l', lease: { token: 9 } }, 'absent')).toBe(false)
    expect(await c.compareAndSet({ _id: 'l', lease: { token: 2 } }, { 'lease.token': { $eq: 0 } })).toBe(
      false,
    )
    expect(await c.compareAndSet({ _id: 'l', lease: { token: 2 } }, { 'lease.token': { $eq: 1 } })).toBe(true)
    expect(await c.compareAndSet({ _id: 'other', v: 1 }, { 'lease.token': { $eq: 1 } })).toBe(false)
    expect(await c.find()).toEqual([{ _id: 'l', lease: { token: 2 } }])
    // A document without the field matches null, as in MongoDB (checkpoints written before leases).
    await c.write([{ kind: 'put', doc: { _id: 'old', position: 'p' } }])
    expect(await c.compareAndSet({ _id: 'old', lease: { token: 1 } }, { 'lease.token': { $eq: null } })).toBe(
      true,
    )
  })

  it('hands out copies: changing a document written or read back changes nothing stored', async () => {
    const c = store.collection('contract_copies')
    const written = { _id: 'a', nested: { k: 1 }, list: [1] }
    await c.write([{ kind: 'put', doc: written }])
    written.nested.k = 2
    written.list.push(2)
    const [found] = await c.find({ 'nested.k': { $eq: 1 } })
    ;(found!.nested as { k: number }).k = 3
    const [byId] = await c.findByIds(['a'])
    ;(byId!.list as number[]).push(4)
    expect(await c.find({ 'nested.k': { $eq: 1 } })).toEqual([{ _id: 'a', nested: { k: 1 }, list: [1] }])
    expect(await c.findByIds(['a'])).toEqual([{ _id: 'a', nested: { k: 1 }, list: [1] }])
  })

  it('answers queries from what was last written, after every kind of write', async () => {
    const c = store.collection('contract_fresh')
    await c.write([
      { kind: 'put', doc: { _id: 'a', n: 1 } },
      { kind: 'increment', id: 'b', by: { n: 1 }, onInsert: {}, batch: '001' },
    ])
    const ns = async () => (await c.find({ n: { $gte: 0 } })).map(({ _id, n }) => [_id, n])
    expect(await ns()).toEqual([
      ['a', 1],
      ['b', 1],
    ])
    await c.write([
      { kind: 'put', doc: { _id: 'a', n: 5 } },
      { kind: 'increment', id: 'b', by: { n: 2 }, onInsert: {}, batch: '002' },
    ])
    expect(await ns()).toEqual([
      ['a', 5],
      ['b', 3],
    ])
    expect(await c.compareAndSet({ _id: 'a', n: 7 }, { n: { $eq: 5 } })).toBe(true)
    await c.write([{ kind: 'delete', id: 'b' }])
    expect(await ns()).toEqual([['a', 7]])
    await c.drop()
    expect(await ns()).toEqual([])
  })

  it('lands writes sent at once, in order, and a failed one does not hold back the next', async () => {
    const c = store.collection('contract_concurrent')
    await c.write([{ kind: 'insert', doc: { _id: 'taken', v: 0 } }])
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => c.write([{ kind: 'put', doc: { _id: 'same', v: i } }])),
      c.write([{ kind: 'insert', doc: { _id: 'taken', v: 1 } }]),
      c.write([{ kind: 'put', doc: { _id: 'after', v: 1 } }]),
    ])
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(await c.find()).toEqual([
      { _id: 'after', v: 1 },
      { _id: 'same', v: 9 },
      { _id: 'taken', v: 0 },
    ])
  })
})
