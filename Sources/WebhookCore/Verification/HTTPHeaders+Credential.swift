extension HTTPHeaders {
    /// The one non-empty value of `name`, or of `alternate` when `name` is absent (Svix's `svix-*` names
    /// for Standard Webhooks' `webhook-*`). Names match in any case.
    /// - Throws: `.missingHeader` when neither is present, `.malformedHeader` when it is sent twice.
    func credential(_ name: String, or alternate: String? = nil) throws(VerificationFailure) -> String {
        var found = firstValue(name)
        if found.value == nil, let alternate { found = firstValue(alternate) }
        guard let value = found.value, !value.isEmpty else {
            throw VerificationFailure(.missingHeader, "\(name) is missing")
        }
        guard !found.repeated else {
            throw VerificationFailure(.malformedHeader, "\(name) is sent more than once")
        }
        return value
    }
}
