extension HandlerRegistry {
    /// Managing entities (the accounts that own properties and channels): lifecycle, subscription,
    /// managers, profile and onboarding tasks.
    static let managingEntity: [any EventHandler] = [
        counting("managing_entity.created.count", ["managing_entity.created"]),
        counting("managing_entity.deleted.count", ["managing_entity.deleted"]),
        counting("managing_entity.status_change.count", ["managing_entity.status.updated", "account.under_review"]),
        counting(
            "managing_entity.subscription_change.count",
            [
                "managing_entity.subscription.provisioned", "managing_entity.subscription.changed",
                "managing_entity.subscription.invoice.changed",
            ]),
        counting(
            "managing_entity.manager_change.count",
            [
                "managing_entity.manager.added", "managing_entity.manager.invited", "managing_entity.manager.removed",
                "managing_entity.manager.accepted", "managing_entity.manager.rejected",
                "managing_entity.manager.owner.set", "account.managers.update",
            ]),
        counting(
            "managing_entity.profile_change.count",
            [
                "managing_entity.information.updated", "managing_entity.city.updated",
                "managing_entity.name.updated", "managing_entity.url_name.updated",
                "managing_entity.unique_id.updated", "managing_entity.managed_by.updated",
                "managing_entity.place_id.updated", "managing_entity.account_representative.updated",
                "managing_entity.profile_picture.updated", "managing_entity.logo.updated", "account.details.updated",
                "managing_entity.agent.updated",
            ]),
        counting(
            "managing_entity.notification.count",
            ["managing_entity.agent.email.notification", "managing_entity.manager.email.notification"]),
        counting("managing_entity.task_created.count", ["account.task.create"]),
        counting("managing_entity.task_updated.count", ["account.task.update", "account.task.remove"]),
        counting("managing_entity.task_completed.count", ["account.task.complete", "account.task.tax_id.complete"]),
    ]

    /// Accounts (the older catalog's managing entities).
    static let account: [any EventHandler] = [
        counting("account.created.count", ["account.create"]),
        counting(
            "account.change.count",
            [
                "account.updated", "account.status.updated", "account.address.updated", "account.information.update",
                "account.profile_picture.updated", "account.agent.updated", "account.url-name.update",
                "account.unique-id.update",
            ]),
        counting(
            "account.acquirer_change.count",
            ["account.acquirer.created", "account.acquirer.updated", "account.acquirer.removed"]),
    ]

    /// Guest correspondence sent by Wink.
    static let email: [any EventHandler] = [counting("email.message.count", ["email.correspondence"])]
}
