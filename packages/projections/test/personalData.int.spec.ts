/**
 * Read models hold no personal data, and erasing an owner's (deleting their key) stops no projection:
 * projections read events with personal data sealed.
 */
import type { Actor } from '@property-services/domain'
import { commandHandler, inMemoryEventStore, inMemoryKeyStore } from '@property-services/infrastructure'
import {
  allProjections,
  complaintAnalyticsQueries,
  inMemoryReadModelStore,
  physicalName,
  rebuild,
} from '@property-services/projections'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const secret = 'Zhang Wei ERASE-ME'
const staff: Actor = { id: 'staff-1', role: 'staff' }

describe('personal data and the read models', () => {
  it('keeps none of it in any read model, and every projection goes on after an erasure', async () => {
    const events = inMemoryEventStore()
    const keys = inMemoryKeyStore()
    let minute = 0
    const { handle } = commandHandler({
      store: events,
      keys,
      clock: () => new Date(Date.parse('2026-05-04T01:00:00Z') + ++minute * 60_000),
    })
    const send = async (type: string, data: object, actor: Actor = staff) => {
      const result = await handle({ type, commandId: `c${minute}`, data }, { actor })
      if (E.isLeft(result)) throw new Error(`${type}: ${result.left.message}`)
    }
    await send('RegisterOwner', {
      ownerId: 'o1',
      communityId: 'default',
      contact: { name: secret, phone: '13912345678' },
    })
    await send('RegisterUnit', {
      unitId: 'u1',
      communityId: 'default',
      building: '1',
      number: '101',
      floorAreaCm2: 800_000,
    })
    await send('AssignUnitOwner', { unitId: 'u1', ownerId: 'o1' })
    await send(
      'FileComplaint',
      {
        complaintId: 'k1',
        ownerId: 'o1',
        unitId: 'u1',
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: `${secret} is stuck`,
      },
      { id: 'o1', role: 'owner' },
    )
    await send('AcknowledgeComplaint', { complaintId: 'k1', gesture: 'apology', note: `called ${secret}` })
    await send('EraseOwnerPersonalData', { ownerId: 'o1' }, { id: 'manager-1', role: 'manager' })
    const readModels = inMemoryReadModelStore()
    for (const projection of allProjections()) {
      await rebuild({ events, readModels, projection })
      for (const collection of projection.collections) {
        const docs = await readModels.collection(physicalName(projection.name, collection, 1)).find()
        expect(JSON.stringify(docs)).not.toContain('ERASE-ME')
      }
    }
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]).toMatchObject({
      filed: 1,
      open: 1,
    })
  })
})
