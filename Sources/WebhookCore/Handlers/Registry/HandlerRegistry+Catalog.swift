extension HandlerRegistry {
    /// Room types, rate plans, add-ons and the other sellable things of a property: changes counted per
    /// action, by property, room type and event key (which kind of thing).
    static let inventory: [any EventHandler] = ["created", "updated", "deleted"].map { action in
        counting(
            "inventory.\(action).count",
            ["room_type", "rate_plan", "master_rate", "add_on", "meeting_room", "restaurant", "spa", "activity"]
                .map { "\($0).\(action)" })
    }

    /// Channel-manager pushes: rate and availability updates per property and room type.
    static let channelManager: [any EventHandler] = [
        counting("channel_manager.rate_update.count", ["channel-manager.update.rate"]),
        counting("channel_manager.availability_update.count", ["channel-manager.update.availability"]),
        counting("channel_manager.update.count", ["channel-manager.update"]),
    ]

    /// Special rates (promotions) and rate modifiers.
    static let specialRate: [any EventHandler] = [
        counting("special_rate.created.count", ["special_rate.created"]),
        counting("special_rate.updated.count", ["special_rate.updated", "rate_modifier.updated"]),
        counting("special_rate.deleted.count", ["special_rate.deleted"]),
    ]

    /// Properties: lifecycle and profile changes.
    static let property: [any EventHandler] = [
        counting("property.created.count", ["property.created", "property.registered"]),
        counting("property.deleted.count", ["property.deleted"]),
        counting("property.status_change.count", ["property.status.updated"]),
        counting(
            "property.change.count",
            [
                "property.updated", "property.name.updated", "property.address.updated",
                "property.geolocation.updated", "property.profile.updated", "property.services.updated",
                "property.welcome_text.updated", "property.policy.created", "property.policy.updated",
            ]),
    ]

    /// Sales channels (a travel brand's storefronts).
    static let salesChannel: [any EventHandler] = ["created", "updated", "deleted"].map { action in
        counting("sales_channel.\(action).count", ["sales_channel.\(action)"])
    }
}
