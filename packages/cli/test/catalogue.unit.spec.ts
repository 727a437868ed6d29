import { readFileSync } from 'node:fs'
import { renderCatalogue, renderPermissions } from '@property-services/cli'
import { commandCodecs, eventCodecs, permissions } from '@property-services/domain'
import { describe, expect, it } from 'vitest'

describe('event catalogue', () => {
  const committed = readFileSync(new URL('../../../docs/event-catalogue.md', import.meta.url), 'utf8')

  it('is up to date with the codecs (run "pnpm generate:docs" after changing a command or event)', () => {
    expect(committed).toBe(renderCatalogue())
  })

  it('lists every command and event with its fields', () => {
    for (const type of [...Object.keys(commandCodecs), ...Object.keys(eventCodecs)])
      expect(committed).toContain(`| \`${type}\` |`)
    expect(committed).toContain(
      '| `ComplaintFiled` | complaintId: Id<br>ownerId: Id<br>unitId: Id<br>communityId: Id<br>category: ComplaintCategory',
    )
    expect(committed).toContain('| `RateServiceOrder` | orderId: Id<br>score: Score<br>comment?: FreeText |')
  })
})

describe('role matrix', () => {
  const committed = readFileSync(new URL('../../../docs/permissions.md', import.meta.url), 'utf8')

  it('is up to date with permissions.ts (run "pnpm generate:docs" after changing it)', () => {
    expect(committed).toBe(renderPermissions())
  })

  it('has a row for every command, and managers alone waive', () => {
    for (const type of Object.keys(permissions)) expect(committed).toContain(`| \`${type}\` |`)
    expect(committed).toContain('| `WaiveCharge` | — | — | yes | — |')
    expect(committed).toContain('| `AdjustBill` | — | within limit | yes | — |')
  })
})
