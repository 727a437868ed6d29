/**
 * The report's words in the reader's language: English, or Simplified Chinese with the handbook's
 * terms (投诉, 二次投诉, 满意度, 上门拜访, 服务公示). Headings and column names only; codes such as
 * categories and grades stay as stored. `--lang` chooses; by default, the environment's locale.
 */
export type Lang = 'en' | 'zh-CN'

export const langs: readonly Lang[] = ['en', 'zh-CN']

const en = {
  companyOverview: (from: string, to: string) =>
    `== The company: its communities side by side, ${from} to ${to} ==`,
  companyOverviewColumns: [
    'community',
    'complaints',
    'open',
    'escalated',
    'repeat rate',
    'satisfaction',
    'company',
    'visits overdue',
    'months without a forum',
  ],
  communitySection: (community: string, from: string, to: string) =>
    `== Community ${community}: complaints by category, ${from} to ${to} ==`,
  communityColumns: ['category', 'complaints', 'open', 'escalated', 'repeats'],
  complaintsByCategory: '== Complaints by category and month (the whole company) ==',
  complaintColumns: [
    'category',
    'month',
    'filed',
    'open',
    'resolved',
    'rejected',
    'reopened',
    'reopenings',
    'closed',
    'ack h',
    'resolve h',
    'rating',
    'late replies',
    'escalated',
  ],
  repeats: '== Repeat complaints (二次投诉) ==',
  repeatColumns: ['category', 'month', 'complaints', 'repeats', 'rate'],
  repeatTotal: (repeats: number, reopenings: number, hotspots: string) =>
    `total: ${repeats} repeats (${reopenings} reopenings); units repeating most: ${hotspots || 'none'}`,
  satisfaction: '== Satisfaction per half-year and dimension (all sources) ==',
  satisfactionColumns: ['dimension', 'period', 'responses', 'average', 'change'],
  lateReplies: '== Verbal complaints answered after their one-working-day deadline ==',
  lateReplyColumns: ['complaint', 'category', 'filed', 'reply due', 'replied'],
  board: '== Service board (服务公示): the services posted, with what free ones cost the company ==',
  boardColumns: ['service', 'kind', 'price', 'cost', 'quality standard', 'packages', 'ratings (3 months)'],
  free: 'free',
  visits: (asOf: string) =>
    `== Home visits as of ${asOf} (key customers monthly, general quarterly, potential half-yearly) ==`,
  visitColumns: ['grade', 'owners', 'overdue'],
  overdueColumns: ['owner', 'grade', 'last visit', 'due by', 'days overdue'],
  never: 'never',
  title: 'Property services report',
  chartComplaints: 'Complaints filed per month, by category',
  chartRepeatRate: 'Repeat complaints (二次投诉) as a share of complaints filed, per month and category',
  chartSatisfaction: 'Satisfaction per half-year and dimension (average of 1-5)',
  boardHeading: 'Service board (服务公示)',
  boardHtmlColumns: [
    'service',
    'kind',
    'price',
    'cost to the company',
    'quality standard',
    'packages',
    'ratings, last 3 months',
  ],
  lateRepliesHeading: 'Verbal complaints answered after their one-working-day deadline',
  staffSatisfaction:
    '== Staff satisfaction (internal customers, 内部顾客满意度) per half-year, department and dimension ==',
  staffSatisfactionColumns: ['department', 'dimension', 'period', 'responses', 'average', 'change'],
  allDepartments: 'all departments',
  chartStaffSatisfaction: 'Staff satisfaction per half-year and dimension, all departments (average of 1-5)',
  meetings: (from: string, to: string) => `== Owner forums and committee meetings held, ${from} to ${to} ==`,
  meetingColumns: ['month', 'forums', 'committee meetings'],
  forumGaps: (gaps: string) => `months without a forum: ${gaps || 'none'}`,
  actionItems: (asOf: string, open: number, overdue: number) =>
    `== Action items from meetings, open as of ${asOf}: ${open}, of which ${overdue} overdue (most overdue first) ==`,
  actionItemColumns: ['meeting', 'item', 'department', 'due by', 'days overdue'],
  correctiveActions: (asOf: string) =>
    `== Corrective actions needing attention as of ${asOf}: open, due for review, ineffective ==`,
  correctiveActionColumns: ['action', 'subject', 'unit', 'department', 'status', 'due by', 'reopened'],
  correctiveActionTotals: (
    open: number,
    overdue: number,
    reviewDue: number,
    verified: number,
    ineffective: number,
    reopened: number,
  ) =>
    `open ${open} (overdue ${overdue}), due for review ${reviewDue}, verified effective ${verified}, ineffective ${ineffective}, reopened by a repeat ${reopened}`,
  training: (asOf: string) => `== Training required by job role, as of ${asOf} ==`,
  trainingColumns: ['course', 'kind', 'staff required', 'trained'],
  missingTraining: (who: string) => `staff missing required training: ${who || 'none'}`,
}

export type Messages = typeof en

const zh: Messages = {
  companyOverview: (from, to) => `== 公司：各小区对比，${from} 至 ${to} ==`,
  companyOverviewColumns: [
    '小区',
    '投诉',
    '未结',
    '升级',
    '二次投诉率',
    '满意度',
    '公司平均',
    '逾期拜访',
    '未开座谈会月数',
  ],
  communitySection: (community, from, to) => `== 小区 ${community}：投诉按类别，${from} 至 ${to} ==`,
  communityColumns: ['类别', '投诉', '未结', '升级', '二次投诉'],
  complaintsByCategory: '== 投诉：按类别与月份（全公司）==',
  complaintColumns: [
    '类别',
    '月份',
    '受理',
    '未结',
    '已解决',
    '不予受理',
    '重开投诉',
    '重开次数',
    '已结案',
    '确认(小时)',
    '解决(小时)',
    '评分',
    '逾期答复',
    '升级',
  ],
  repeats: '== 二次投诉 ==',
  repeatColumns: ['类别', '月份', '投诉', '二次投诉', '比率'],
  repeatTotal: (repeats, reopenings, hotspots) =>
    `合计：二次投诉 ${repeats} 起（其中重开 ${reopenings} 起）；二次投诉最多的房屋：${hotspots || '无'}`,
  satisfaction: '== 满意度：按半年与维度（全部来源）==',
  satisfactionColumns: ['维度', '期间', '答卷', '平均分', '变化'],
  lateReplies: '== 口头投诉逾期答复（时限一个工作日）==',
  lateReplyColumns: ['投诉', '类别', '受理时间', '答复时限', '答复时间'],
  board: '== 服务公示：公布的服务项目，免费服务列明公司承担的成本 ==',
  boardColumns: ['服务', '类型', '价格', '成本', '质量标准', '服务套餐', '近三个月评分'],
  free: '免费',
  visits: (asOf) => `== 上门拜访：截至 ${asOf}（重点客户每月、一般客户每季度、潜在客户每半年）==`,
  visitColumns: ['客户等级', '业主数', '逾期'],
  overdueColumns: ['业主', '客户等级', '上次拜访', '应拜访日期', '逾期天数'],
  never: '从未',
  title: '物业服务报告',
  chartComplaints: '每月受理的投诉，按类别',
  chartRepeatRate: '二次投诉占当月投诉的比率，按类别',
  chartSatisfaction: '满意度：按半年与维度（1-5 分平均）',
  boardHeading: '服务公示',
  boardHtmlColumns: ['服务', '类型', '价格', '公司承担的成本', '质量标准', '服务套餐', '近三个月评分'],
  lateRepliesHeading: '口头投诉逾期答复（时限一个工作日）',
  staffSatisfaction: '== 内部顾客满意度（员工满意度）：按半年、部门与维度 ==',
  staffSatisfactionColumns: ['部门', '维度', '期间', '答卷', '平均分', '变化'],
  allDepartments: '全部部门',
  chartStaffSatisfaction: '员工满意度：按半年与维度，全部部门（1-5 分平均）',
  meetings: (from, to) => `== 业主座谈会与业主委员会会议：${from} 至 ${to} ==`,
  meetingColumns: ['月份', '座谈会', '业委会会议'],
  forumGaps: (gaps) => `未召开座谈会的月份：${gaps || '无'}`,
  actionItems: (asOf, open, overdue) =>
    `== 会议待办事项：截至 ${asOf} 未完成 ${open} 项，其中逾期 ${overdue} 项 ==`,
  actionItemColumns: ['会议', '事项', '责任部门', '完成时限', '逾期天数'],
  correctiveActions: (asOf) => `== 纠正措施：截至 ${asOf} 需跟进（未完成、待验证、无效）==`,
  correctiveActionColumns: ['措施', '投诉内容', '房屋', '责任部门', '状态', '完成时限', '重开次数'],
  correctiveActionTotals: (open, overdue, reviewDue, verified, ineffective, reopened) =>
    `未完成 ${open}（逾期 ${overdue}），待验证 ${reviewDue}，验证有效 ${verified}，无效 ${ineffective}，因二次投诉重开 ${reopened}`,
  training: (asOf) => `== 岗位培训：截至 ${asOf} ==`,
  trainingColumns: ['课程', '类型', '应培训人数', '已培训'],
  missingTraining: (who) => `未完成必修培训的员工：${who || '无'}`,
}

export const messages: Readonly<Record<Lang, Messages>> = { en, 'zh-CN': zh }

/** The language from the environment's locale (LC_ALL, LC_MESSAGES, LANG): Chinese for zh*, else English. */
export const langFromEnvironment = (env: NodeJS.ProcessEnv = process.env): Lang => {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^zh/i.test(locale) ? 'zh-CN' : 'en'
}
