import Glibc
import Testing
import WebhookCore

@testable import FastCGITransport

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("unix:/run/winkhook.sock", ListenAddress.unix(path: "/run/winkhook.sock")),
        ("/run/x.sock", .unix(path: "/run/x.sock")),
        ("127.0.0.1:9000", .tcp(host: "127.0.0.1", port: 9000)),
        ("[::1]:9000", .tcp(host: "::1", port: 9000)),
    ])
    func parses(text: String, expected: ListenAddress) throws {
        #expect(try ListenAddress(parsing: text) == expected)
    }

    @Test(arguments: ["0.0.0.0:9000", ":9000", "*:9000", "[::]:9000"])
    func refusesAllInterfacesUnlessAllowed(text: String) throws {
        #expect(throws: ListenError.self) { try ListenAddress(parsing: text) }
        #expect(throws: Never.self) { _ = try ListenAddress(parsing: text, allowPublic: true) }
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "unix:", "[::1]9000", "host:port"])
    func refusesMalformed(text: String) {
        #expect(throws: ListenError.self) { try ListenAddress(parsing: text) }
    }

    @Test func refusesOverlongUnixPaths() {
        #expect(throws: ListenError.self) { try ListenAddress(parsing: "unix:/" + String(repeating: "a", count: 120)) }
    }
}

@Suite struct ListeningSocketTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/winkhook-sock.XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer -> String in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return "/tmp" }
            return String(cString: made)
        }
    }

    /// A new directory and the path of a socket `w.sock` in it.
    func socketPlace() -> (directory: String, path: String) {
        let directory = temporaryDirectory()
        return (directory, directory + "/w.sock")
    }

    /// Removes what `socketPlace` made.
    func remove(_ directory: String, _ path: String) {
        unlink(path)
        rmdir(directory)
    }

    @Test func unixSocketIsCreatedWithTheRequestedModeAndListens() throws {
        let (directory, path) = socketPlace()
        defer { remove(directory, path) }
        let fd = try ListeningSocket.open(.unix(path: path), permissions: .init(mode: 0o660), backlog: 16)
        defer { close(fd) }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(ListeningSocket.isListening(fd))
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
    }

    /// The socket is made in a private directory beside its path and linked into place with its owner,
    /// group and mode: nothing else is left in the directory, and a client connects through the path.
    @Test func aSocketWithAnOwnerAndGroupIsLinkedIntoPlaceAndLeavesNothingElse() throws {
        let (directory, path) = socketPlace()
        defer { remove(directory, path) }
        let owned = geteuid() == 0
        let permissions = ListeningSocket.Permissions(
            mode: 0o660, owner: owned ? "nobody" : nil, group: owned ? "nogroup" : nil)
        let fd = try ListeningSocket.open(.unix(path: path), permissions: permissions, backlog: 16)
        defer { close(fd) }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660 && info.st_mode & S_IFMT == S_IFSOCK && info.st_nlink == 1)
        if owned {
            #expect(info.st_uid == getpwnam("nobody")?.pointee.pw_uid)
            #expect(info.st_gid == getgrnam("nogroup")?.pointee.gr_gid)
        }
        var names: [String] = []
        if let listing = opendir(directory) {
            while let entry = readdir(listing) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(listing)
        }
        #expect(names == ["w.sock"])
        let client = try FastCGIClient.connect(.unix(path: path), timeoutSeconds: 2)
        close(client)
    }

    @Test func aStaleSocketIsReplacedButALiveOneIsNot() throws {
        let (directory, path) = socketPlace()
        defer { remove(directory, path) }
        let first = try ListeningSocket.open(.unix(path: path), permissions: .init(), backlog: 16)
        #expect(throws: ListenError.self) {
            _ = try ListeningSocket.open(.unix(path: path), permissions: .init(), backlog: 16)
        }
        close(first)  // the file stays behind, as after a crash
        let second = try ListeningSocket.open(.unix(path: path), permissions: .init(), backlog: 16)
        close(second)
    }

    @Test func aRegularFileIsNeverReplaced() throws {
        let directory = temporaryDirectory()
        let path = directory + "/not-a-socket"
        defer {
            unlink(path)
            rmdir(directory)
        }
        let file = fopen(path, "w")
        fclose(file)
        #expect(throws: ListenError.self) {
            _ = try ListeningSocket.open(.unix(path: path), permissions: .init(), backlog: 16)
        }
        #expect(access(path, F_OK) == 0)
    }

    @Test func tcpOnLoopbackListens() throws {
        for port in UInt16(18_700)...UInt16(18_720) {
            guard
                let fd = try? ListeningSocket.open(
                    .tcp(host: "127.0.0.1", port: port), permissions: .init(), backlog: 16)
            else { continue }
            #expect(ListeningSocket.isListening(fd))
            close(fd)
            return
        }
        Issue.record("no free port in 18700-18720")
    }

    @Test func aPipeIsNotAListener() {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        #expect(!ListeningSocket.isListening(fds[0]))
        close(fds[0])
        close(fds[1])
    }

    @Test func parametersAreCopiedFromACArray() {
        let texts: [String] = ["A=1", "B==2", "NOEQUALS", "C="]
        let strings: [UnsafeMutablePointer<CChar>?] = texts.map { strdup($0) } + [nil]
        var array = strings
        let pairs = array.withUnsafeMutableBufferPointer { CStringPairs.read($0.baseAddress) }
        for pointer in strings { free(pointer) }
        #expect(pairs.map { "\($0.0)|\($0.1)" } == ["A|1", "B|=2", "C|"])
    }

    /// What nginx's `fastcgi_params` sends: the head read from the parameters it needs equals the head
    /// read from all of them.
    @Test func onlyTheParametersAHeadIsReadFromAreCopied() throws {
        let texts = [
            "QUERY_STRING=a=1", "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2",
            "SCRIPT_NAME=/webhook/wink", "REQUEST_URI=/webhook/wink?a=1", "DOCUMENT_URI=/webhook/wink",
            "DOCUMENT_ROOT=/srv", "SERVER_PROTOCOL=HTTP/1.1", "REQUEST_SCHEME=http", "GATEWAY_INTERFACE=CGI/1.1",
            "SERVER_SOFTWARE=nginx/1.22.1", "REMOTE_ADDR=127.0.0.1", "REMOTE_PORT=5000", "SERVER_ADDR=127.0.0.1",
            "SERVER_PORT=80", "SERVER_NAME=_", "REDIRECT_STATUS=200", "PATH_INFO=", "HTTP_HOST=x",
            "HTTP_WEBHOOK_ID=msg_1", "HTTP_X_WINK_EVENT=a.b", "HTTP_=odd", "HTTPX=no",
        ]
        let strings: [UnsafeMutablePointer<CChar>?] = texts.map { strdup($0) } + [nil]
        var array = strings
        let all = array.withUnsafeMutableBufferPointer { CStringPairs.read($0.baseAddress) }
        let kept = array.withUnsafeMutableBufferPointer {
            CStringPairs.read($0.baseAddress, keeping: RequestHead.readsParameter(named:))
        }
        for pointer in strings { free(pointer) }
        #expect(
            kept.map(\.0) == [
                "QUERY_STRING", "REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "SCRIPT_NAME", "REQUEST_URI",
                "DOCUMENT_URI", "REMOTE_ADDR", "PATH_INFO", "HTTP_HOST", "HTTP_WEBHOOK_ID", "HTTP_X_WINK_EVENT",
            ])
        let whole = try #require(RequestHead(cgiParameters: all))
        let head = try #require(RequestHead(cgiParameters: kept))
        #expect(head.method == whole.method && head.path == whole.path && head.query == whole.query)
        #expect(head.remoteAddress == whole.remoteAddress && head.contentLength == whole.contentLength)
        #expect(head.headers == whole.headers)
    }
}
