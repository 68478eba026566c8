import ArgumentParser
import Glibc

/// Entry point: chooses worker, CGI or command-line mode, then hands over.
@main
enum Winkhook {
    static func main() {
        start(arguments: CommandLine.arguments)
    }

    /// What a child of `winkhook serve` runs in its forked copy: what `main` would do had it been
    /// exec'd with these arguments (a worker's `--config PATH`, or `drain --watch …`).
    static func forkedChild(_ arguments: [String]) -> Int32 {
        start(arguments: [CommandLine.arguments.first ?? "winkhook"] + arguments)
        return 0
    }

    private static func start(arguments: [String]) {
        let environment = ProcessEnvironment.current()
        switch StartMode.detect(arguments: arguments, environment: environment) {
        case .worker(let fd):
            let logger = LogSetup.bootstrap(environment: environment)
            exit(App.runWorker(listenDescriptor: fd, arguments: arguments, environment: environment, logger: logger))
        case .cgi:
            let logger = LogSetup.bootstrap(environment: environment)
            exit(App.runCGI(environment: environment, logger: logger))
        case .command:
            WinkhookCommand.main(Array(arguments.dropFirst()))
        }
    }
}
