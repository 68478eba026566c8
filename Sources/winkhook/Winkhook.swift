import ArgumentParser
import Glibc

/// Entry point: chooses worker, CGI or command-line mode, then hands over.
@main
enum Winkhook {
    static func main() {
        let arguments = CommandLine.arguments
        let environment = ProcessEnvironment.current()
        switch StartMode.detect(arguments: arguments, environment: environment) {
        case .worker(let fd):
            let logger = LogSetup.bootstrap(environment: environment)
            exit(App.runWorker(listenDescriptor: fd, arguments: arguments, environment: environment, logger: logger))
        case .cgi:
            let logger = LogSetup.bootstrap(environment: environment)
            exit(App.runCGI(environment: environment, logger: logger))
        case .command:
            WinkhookCommand.main()
        }
    }
}
