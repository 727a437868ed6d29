import { describe, expect, it } from 'vitest'
import { formatDuration, formatRate, progressReporter } from '../src/progress.js'

describe('progress', () => {
  it('says slow rates per minute instead of rounding them to nothing', () => {
    expect(formatRate(1234.4)).toBe('1234/s')
    expect(formatRate(2.25)).toBe('2.3/s')
    expect(formatRate(0.04)).toBe('2.4/min')
    expect(formatRate(0)).toBe('0.0/min')
  })

  it('says a time left in the units that matter', () => {
    expect(formatDuration(44.6)).toBe('45 s')
    expect(formatDuration(725)).toBe('12 min 5 s')
    expect(formatDuration(7_380)).toBe('2 h 3 min')
    expect(formatDuration(-3)).toBe('0 s')
  })

  it('writes plain lines off a terminal, at most one every two seconds, the last always', () => {
    const lines: string[] = []
    const stream = {
      isTTY: false,
      write: (line: string) => lines.push(line),
    } as unknown as NodeJS.WriteStream
    let clock = 0
    const progress = progressReporter('simulating', stream, () => clock)
    clock = 25_000
    progress.update(1, 257, 'weeks')
    clock = 26_000
    progress.update(2, 257, 'weeks')
    clock = 50_000
    progress.update(2, 257, 'weeks')
    clock = 60_000
    progress.update(257, 257, 'weeks')
    expect(lines).toEqual([
      'simulating: 1/257 weeks, 2.4/min, about 1 h 46 min left\n',
      'simulating: 2/257 weeks, 2.4/min, about 1 h 46 min left\n',
      'simulating: 257/257 weeks, 4.3/s\n',
    ])
  })
})
