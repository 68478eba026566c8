/// `rowParameters` as columns of arrays, for statements that write many rows from one `unnest` (a small
/// batch, the reprocessor's updates).
extension PostgresEventStore {
    /// The columns of `rowParameters`, in its order, as statements unnest them: a name and a type each
    /// (one array is sent per column).
    static let rowColumns: [UnnestColumn] = [
        ("webhook", "text"), ("dedupe_key", "text"), ("micros", "bigint"), ("event_key", "text"),
        ("sent_key", "text"), ("disposition", "text"), ("body_sha256", "text"), ("headers", "text"), ("body", "text"),
        ("time_micros", "bigint"), ("entity", "text"), ("property", "text"), ("channel", "text"),
        ("booking_id", "text"), ("subject", "text"), ("room_type", "text"), ("state", "text"),
        ("occurred_micros", "bigint"), ("metrics", "text"), ("metric_values", "text"), ("metric_currencies", "text"),
        ("version", "bigint"), ("stay_start", "date"), ("stay_end", "date"), ("room_nights", "numeric"),
        ("rooms", "numeric"), ("gross", "numeric"), ("net", "numeric"), ("currency", "text"),
        ("booked_micros", "bigint"),
    ]

    /// `values` as one array parameter of `type`: a `text[]` in binary form (bodies and headers are most
    /// of a batch), numbers and dates as array literals.
    static func arrayParameter(_ values: [PostgresParameter], type: String) -> PostgresParameter {
        type == "text" ? .binary(BinaryArray.text(values)) : .text(ArrayLiteral.text(values.map(\.textValue)))
    }

    /// `unnest($1::text[], $2::bigint[], …) AS u(webhook, micros, …)`: `columns` as the parameters of a
    /// statement, in order.
    static func unnest(_ columns: [UnnestColumn]) -> String {
        let arrays = columns.enumerated().map { "$\($0 + 1)::\($1.type)[]" }.joined(separator: ", ")
        return "unnest(\(arrays)) AS u(\(columns.map(\.name).joined(separator: ", ")))"
    }

    /// A column of an `unnest`: its name and its element type.
    typealias UnnestColumn = (name: String, type: String)
}
