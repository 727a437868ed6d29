/**
 * The command-line tool as a library: run it in-process, simulate a community, audit complaints.
 * @packageDocumentation
 */
export * from './catalogue.js'
export * from './cli.js'
export * from './htmlReport.js'
export * from './report.js'
export * from './simulation.js'
