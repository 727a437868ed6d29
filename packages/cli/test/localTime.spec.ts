import { describe, expect, it } from 'vitest'
import { localTime } from '../src/localTime.js'

describe('local time in reports', () => {
  it('prints an instant in Beijing time with its offset', () => {
    expect(localTime('2025-01-27T15:59:59.999Z')).toBe('2025-01-27 23:59:59 +08:00')
    expect(localTime('2025-01-27T16:00:00.000Z')).toBe('2025-01-28 00:00:00 +08:00')
    expect(localTime('2025-05-06T01:00:00+08:00')).toBe('2025-05-06 01:00:00 +08:00')
  })

  it('follows another zone, daylight saving included, and leaves what is not an instant alone', () => {
    expect(localTime('2025-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2025-07-01 14:00:00 +02:00')
    expect(localTime('2025-01-01T12:00:00Z', 'Europe/Berlin')).toBe('2025-01-01 13:00:00 +01:00')
    expect(localTime('2025-01-01T12:00:00Z', 'UTC')).toBe('2025-01-01 12:00:00 +00:00')
    expect(localTime('-')).toBe('-')
  })
})

describe('the report language from the locale', () => {
  it('is Chinese for a zh locale, English otherwise, LC_ALL first', async () => {
    const { langFromEnvironment } = await import('../src/messages.js')
    expect(langFromEnvironment({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN')
    expect(langFromEnvironment({ LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' })).toBe('en')
    expect(langFromEnvironment({ LC_MESSAGES: 'zh_TW' })).toBe('zh-CN')
    expect(langFromEnvironment({})).toBe('en')
  })
})
