extension JSONProjection {
    /// What of a body the pipeline reads, for events routed by `router`: the fields that may name the
    /// key, the envelope's `id`, `entity` and `createdDate`, and what the dimensions and every handler
    /// read of `data`. Those are kept both inside `data` and at the top level, since Wink may deliver a
    /// bare booking. The whole body when a handler does not say what it reads.
    ///
    /// `EventDerivation` of a body parsed with it equals that of the whole body; the tests derive every
    /// fixture both ways.
    public static func eventBody(router: EventRouter) -> JSONProjection {
        guard let handlerReads = router.dataReads else { return .whole }
        let data = JSONProjection(paths: handlerReads + EventDimensions.dataReads)
        var body = data
        for field in EventKeyResolver.bodyFields { body.keep(JSONPath(members: [field])) }
        body.keep(DeliveryIdentity.envelopeID)
        for path in EventDimensions.bodyReads { body.keep(path) }
        body.keep("data", projecting: data)
        return body
    }
}
