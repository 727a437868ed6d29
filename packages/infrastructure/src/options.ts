/**
 * Checks of numeric options, named where they fail: a NaN (an unset environment variable through
 * `Number`) or a count of 0 would otherwise mean "no bound", "never" or "spin" deep inside a loop.
 */

/** Refuses `value` unless it is absent or a whole number of at least `least`. */
export const assertWholeNumber = (
  where: string,
  name: string,
  value: number | undefined,
  least: number,
): void => {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= least))
    throw new RangeError(
      `${where}: ${name} must be a whole number of at least ${least}, got ${String(value)}`,
    )
}

/** Refuses `value` unless it is absent or a finite number of milliseconds of at least `least`. */
export const assertMilliseconds = (
  where: string,
  name: string,
  value: number | undefined,
  least: number,
): void => {
  if (value !== undefined && !(Number.isFinite(value) && value >= least))
    throw new RangeError(
      `${where}: ${name} must be a number of milliseconds of at least ${least}, got ${String(value)}`,
    )
}
