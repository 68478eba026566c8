extension HTTPHeaders {
    /// The one non-empty value of `name`, or of `alternate` when `name` is absent (Svix's `svix-*` names
    /// for Standard Webhooks' `webhook-*`). One pass over the fields and nothing allocated: three of these
    /// run for every signed request. Names match in any case (no copy when already lowercase).
    /// - Throws: `.missingHeader` when neither is present, `.malformedHeader` when it is sent twice.
    func credential(_ given: String, or alternateName: String? = nil) throws(VerificationFailure) -> String {
        let name = HTTPHeaders.lowercase(given)
        let alternate = alternateName.map(HTTPHeaders.lowercase)
        var primary = Occurrence()
        var secondary = Occurrence()
        let length = name.utf8.count
        let alternateLength = alternate?.utf8.count ?? -1
        for field in fields {
            // The length first: it is stored, and it tells most names apart without comparing bytes.
            let count = field.name.utf8.count
            if count == length, field.name == name {
                primary.note(field.value)
            } else if count == alternateLength, field.name == alternate {
                secondary.note(field.value)
            }
        }
        let found = primary.value == nil ? secondary : primary
        guard let value = found.value, !value.isEmpty else {
            throw VerificationFailure(.missingHeader, "\(given) is missing")
        }
        guard !found.repeated else {
            throw VerificationFailure(.malformedHeader, "\(given) is sent more than once")
        }
        return value
    }
}

/// The first value of a header and whether there was a second.
private struct Occurrence {
    var value: String?
    var repeated = false

    mutating func note(_ text: String) {
        if value == nil { value = text } else { repeated = true }
    }
}
