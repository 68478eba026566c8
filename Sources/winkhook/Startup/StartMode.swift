import FastCGITransport
import Glibc

/// How this process was started, decided before any argument parsing:
/// 1. a FastCGI worker: fd 0 is a listening socket (spawn-fcgi, mod_fcgid, `winkhook serve`), or systemd
///    passed one (`LISTEN_FDS`) and no subcommand was named;
/// 2. CGI: `GATEWAY_INTERFACE` is set and fd 0 is not a listener;
/// 3. anything else: the command line.
enum StartMode {
    case worker(listenDescriptor: Int32)
    case cgi
    case command

    /// The words that name the command line: every registered subcommand (from the one list in
    /// `WinkhookCommand`), `help` and the top-level flags.
    static var commandWords: Set<String> {
        Set(WinkhookCommand.configuration.subcommands.map { $0._commandName }).union([
            "help", "--help", "-h", "--version", "--experimental-dump-help", "--generate-completion-script",
        ])
    }

    static func detect(arguments: [String], environment: [String: String]) -> StartMode {
        if let first = arguments.dropFirst().first, commandWords.contains(first) { return .command }
        if ListeningSocket.isListening(0) { return .worker(listenDescriptor: 0) }
        if let fd = ListeningSocket.systemdSocket(environment: environment) { return .worker(listenDescriptor: fd) }
        if environment["GATEWAY_INTERFACE"] != nil { return .cgi }
        return .command
    }
}
