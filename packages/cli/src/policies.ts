import { type Policies, policies } from '@property-services/domain'
import { chineseWorkingCalendar } from '@property-services/infrastructure'

/**
 * The rules the command line runs under: the library's defaults on mainland China's working calendar
 * (statutory holidays and 调休 from `chinese-days`), so that reply deadlines skip National Day.
 */
export const cliPolicies: Policies = policies({ calendar: chineseWorkingCalendar() })
