import { TimeZone } from '@property-services/domain'
import { isRight } from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'

describe('TimeZone', () => {
  it('accepts a zone the runtime knows and refuses others, the same on every call (accepted zones are remembered)', () => {
    for (let round = 0; round < 3; round++) {
      expect(isRight(TimeZone.decode('Asia/Shanghai'))).toBe(true)
      expect(isRight(TimeZone.decode('Asia/Urumqi'))).toBe(true)
      expect(isRight(TimeZone.decode('Mars/Olympus_Mons'))).toBe(false)
      expect(isRight(TimeZone.decode(''))).toBe(false)
      expect(isRight(TimeZone.decode(`Asia/${'x'.repeat(70)}`))).toBe(false)
    }
  })

  it('answers the same past the bound on remembered zones', () => {
    // The runtime accepts a zone spelled in any case: more spellings than the bound of 1,000.
    const spellings = Array.from({ length: 1_200 }, (_, i) =>
      [...'asia/shanghai'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(''),
    )
    const accepted = (zone: string) => isRight(TimeZone.decode(zone))
    const first = spellings.map(accepted)
    expect(spellings.map(accepted)).toEqual(first)
    expect(accepted('Mars/Olympus_Mons')).toBe(false)
  })
})
