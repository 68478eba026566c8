import ArgumentParser
import Glibc
import WinkAPI

/// `winkhook wink remove ID`.
struct WinkRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a webhook at Wink (permanent; asks first, like Wink's OK button).")

    @OptionGroup var wink: WinkOptions

    @Argument(help: "The webhook's Wink id, or the name of a local webhook created with `wink create`.")
    var id: String

    @Flag(name: .long, help: "Do not ask.")
    var yes = false

    func run() throws {
        var context = try wink.context()
        let (id, local, entity) = try context.target(id)
        let webhook = try context.client.show(entity: entity, id: id)
        if !yes {
            guard isatty(0) == 1 else {
                throw CommandFailure("not removing \(id) without a terminal to confirm on: pass --yes")
            }
            print(
                "Remove Wink webhook \"\(webhook.name)\" (\(id))? Delivery stops for good. [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("not removed")
                return
            }
        }
        let message = try context.client.remove(entity: entity, id: id)
        if let local {
            context.state.records[local] = nil
            try context.state.save()
        }
        print("removed Wink webhook \(id): \(message)" + (local.map { "; forgot it for \"\($0)\"" } ?? ""))
    }
}
