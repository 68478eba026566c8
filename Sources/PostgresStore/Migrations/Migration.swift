/// One schema version: applied once, in order, inside a transaction, recorded in
/// `winkhook.schema_migrations`.
struct Migration: Sendable {
    /// Strictly increasing version number.
    let version: Int
    /// What it does, for the log.
    let name: String
    /// The DDL (static text: no values are spliced in).
    let sql: String

    /// Every migration, in order. Add new ones at the end; never edit an applied one.
    static let all: [Migration] = [
        .initialSchema, .rejectedDedupe, .lz4Archive, .eventRows, .analytics, .nightRollup, .inlineRows,
        .rawBodies, .bytewiseDedupe,
    ]
}
