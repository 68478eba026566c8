extension HTTPHeaders {
    /// The one non-empty value of the first of `names` that is present.
    /// - Throws: `.missingHeader` when none is present, `.malformedHeader` when it is sent twice.
    func credential(_ names: String...) throws(VerificationFailure) -> String {
        var values: [String] = []
        for name in names where values.isEmpty { values = self.values(name) }
        guard let first = values.first, !first.isEmpty else {
            throw VerificationFailure(.missingHeader, "\(names[0]) is missing")
        }
        guard values.count == 1 else {
            throw VerificationFailure(.malformedHeader, "\(names[0]) is sent more than once")
        }
        return first
    }
}
