import {
  eventIdFor,
  inMemoryEventStore,
  type StoredEvent,
  StoredEventDecodeError,
  serde,
} from '@property-services/infrastructure'
import { describe, expect, it } from 'vitest'

const codec = serde()
const metadata = (schemaVersion: number) => ({
  eventId: 'e1',
  commandId: 'cmd-1',
  correlationId: 'cmd-1',
  actor: { id: 'staff-1', role: 'staff' },
  occurredAt: '2025-06-01T02:00:00.000Z',
  schemaVersion,
})
const stored = (type: string, data: unknown, meta: unknown = metadata(1)): StoredEvent => ({
  streamName: 'owner-o1',
  revision: 4,
  position: { commit: 9n, prepare: 9n },
  eventId: 'e1',
  type,
  data,
  metadata: meta,
})

describe('serialization', () => {
  it('reads a stored v1 OwnerRegistered as the current version, in the default community', () => {
    const v1 = stored('OwnerRegistered', {
      ownerId: 'o1',
      name: '李雷',
      phone: '13900000000',
      at: '2025-06-01T02:00:00.000Z',
    })
    expect(codec.decode(v1).event).toEqual({
      type: 'OwnerRegistered',
      data: {
        ownerId: 'o1',
        communityId: 'default',
        contact: { name: '李雷', phone: '13900000000' },
        grade: 'general',
        at: '2025-06-01T02:00:00.000Z',
      },
    })
  })

  it('writes the current schema version and round-trips through a store', async () => {
    const store = inMemoryEventStore()
    const event = {
      type: 'OwnerRegistered' as const,
      data: {
        ownerId: 'o1',
        communityId: 'community-1',
        contact: { name: '李雷', phone: '139' },
        grade: 'general' as const,
        at: '2026-01-01T00:00:00.000Z',
      },
    }
    const causation = {
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      actor: { id: 's', role: 'staff' as const },
      occurredAt: event.data.at,
      recordedAt: event.data.at,
    }
    const [newEvent] = codec.toNewEvents([event], causation)
    expect(newEvent?.metadata).toMatchObject({
      schemaVersion: 3,
      commandId: 'cmd-1',
      correlationId: 'corr-1',
    })
    await store.appendToStream('owner-o1', [newEvent!])
    const [read] = (await store.readStream('owner-o1')).events
    expect(codec.decode(read!).event).toEqual(event)
  })

  it('derives stable UUIDs for events from their command', () => {
    expect(eventIdFor('cmd-1', 0)).toBe(eventIdFor('cmd-1', 0))
    expect(eventIdFor('cmd-1', 0)).not.toBe(eventIdFor('cmd-1', 1))
    expect(eventIdFor('cmd-1', 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  it('names stream, revision, type and path of an event no codec accepts', () => {
    const bad = stored('ComplaintClosed', { complaintId: 'k1', rating: 9, at: '2026-01-01T00:00:00.000Z' })
    const error = (() => {
      try {
        codec.decode(bad)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(StoredEventDecodeError)
    expect(error).toMatchObject({ streamName: 'owner-o1', revision: 4, eventType: 'ComplaintClosed' })
    expect((error as StoredEventDecodeError).issues).toEqual([
      { path: 'data.rating', expected: 'Score', actual: '9' },
    ])
    expect((error as Error).message).toContain(
      'stream owner-o1 revision 4 (ComplaintClosed): at data.rating expected Score',
    )
  })

  it('refuses an unknown event type and bad metadata with the same typed error', () => {
    expect(() => codec.decode(stored('ComplaintTeleported', {}))).toThrow(
      /revision 4 \(ComplaintTeleported\): at type expected one of/,
    )
    expect(() =>
      codec.decode(stored('SurveyClosed', {}, { ...metadata(1), actor: { id: 'x', role: 'tenant' } })),
    ).toThrow(/at metadata\.actor\.role expected Role/)
  })
})
