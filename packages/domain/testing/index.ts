/**
 * Test support for users of `@property-services/domain`: fast-check arbitraries for every command and
 * event, histories of valid commands per aggregate, and a given / when / then helper for deciders.
 * Needs `fast-check` (a peer dependency) and Node's `assert`.
 * @packageDocumentation
 * @module @property-services/domain/testing
 */
export * from './arbitraries.js'
export * from './histories/index.js'
export * from './specification.js'
