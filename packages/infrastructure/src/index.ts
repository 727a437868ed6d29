/**
 * Event stores for `@property-services/domain` (in-memory, embedded SQLite, EventStoreDB), serialization
 * with upcasting, command handling with optimistic concurrency, and audit replays.
 * @packageDocumentation
 * @module @property-services/infrastructure
 */
export * from './audit/audit.js'
export * from './audit/complaintProcedure.js'
export * from './calendar/chineseCalendar.js'
export * from './commands/commandHandler.js'
export * from './commands/erasure.js'
export * from './commands/retry.js'
export * from './eventStore/catchUp.js'
export * from './eventStore/errors.js'
export * from './eventStore/eventStoreDb.js'
export * from './eventStore/grpcEventStore.js'
export * from './eventStore/inMemory.js'
export * from './eventStore/kurrentDb.js'
export * from './eventStore/port.js'
export * from './eventStore/sqlite.js'
export * from './integrity/canonicalJson.js'
export * from './integrity/hashChain.js'
export * from './integrity/verify.js'
export * from './keys/inMemory.js'
export * from './keys/port.js'
export * from './keys/sqlite.js'
export * from './serialization/encryption.js'
export * from './serialization/encryptPlaintext.js'
export * from './serialization/metadata.js'
export * from './serialization/personalData.js'
export * from './serialization/serde.js'
export * from './serialization/storable.js'
export * from './serialization/upcasters.js'
export * from './telemetry/telemetry.js'
