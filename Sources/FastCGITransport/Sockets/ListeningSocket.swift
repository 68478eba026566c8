import Glibc

/// Opens the listening socket that workers inherit as fd 0.
public enum ListeningSocket {
    /// Ownership and permission options for a unix socket.
    public struct Permissions: Sendable {
        /// File mode, default 0660 (owner and group: the web server's group).
        public var mode: mode_t
        /// Owner user name, if it should change (root only).
        public var owner: String?
        /// Group name, e.g. `www-data`.
        public var group: String?

        /// Creates permissions.
        public init(mode: mode_t = 0o660, owner: String? = nil, group: String? = nil) {
            self.mode = mode
            self.owner = owner
            self.group = group
        }
    }

    /// Creates, binds and listens. The descriptor is close-on-exec; `dup2` onto a child's fd 0 clears that.
    public static func open(_ address: ListenAddress, permissions: Permissions, backlog: Int32) throws(ListenError)
        -> Int32
    {
        switch address {
        case .unix(let path): return try openUnix(path, permissions: permissions, backlog: backlog)
        case .tcp(let host, let port): return try openTCP(host: host, port: port, backlog: backlog)
        }
    }

    private static func failure(_ what: String) -> ListenError {
        ListenError("\(what): \(String(cString: strerror(errno)))")
    }

    private static func openUnix(_ path: String, permissions: Permissions, backlog: Int32) throws(ListenError) -> Int32
    {
        try removeStaleSocket(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        do {
            if let staging = stagingDirectory(beside: path) {
                defer { rmdir(staging) }
                try bindUnix(fd, staging + "/s", permissions: permissions, finalPath: path)
            } else {
                try bindUnixMasked(fd, path, permissions: permissions)
            }
        } catch {
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = failure("listen")
            close(fd)
            unlink(path)
            throw error
        }
        return fd
    }

    /// A new directory only its owner can enter, beside `path`, when one can be made there and a socket in
    /// it fits `sun_path`; else `nil`.
    private static func stagingDirectory(beside path: String) -> String? {
        let directory = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[..<$0]) } ?? "."
        var template = Array((directory + "/.wkXXXXXX").utf8CString)
        guard template.count + 2 <= MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        return template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
    }

    /// Binds `fd` at `staged`, inside a directory nobody else can enter, gives the socket its group and mode
    /// there, links it at `finalPath`, then gives it its owner (linking a file one no longer owns needs
    /// `CAP_FOWNER` under `fs.protected_hardlinks`): nobody can connect before the mode is in place, and the
    /// process-wide umask is never touched (another thread may be creating files meanwhile).
    private static func bindUnix(_ fd: Int32, _ staged: String, permissions: Permissions, finalPath: String)
        throws(ListenError)
    {
        var address = unixAddress(staged)
        guard withSocketAddress(&address, { bind(fd, $0, $1) }) == 0 else { throw failure("bind \(finalPath)") }
        defer { unlink(staged) }
        var beforeLink = permissions
        beforeLink.owner = nil
        try applyPermissions(staged, beforeLink)
        guard link(staged, finalPath) == 0 else {
            throw errno == EEXIST
                ? ListenError("\(finalPath) is in use by another running server") : failure("bind \(finalPath)")
        }
        guard permissions.owner != nil else { return }
        do {
            try applyPermissions(finalPath, permissions)
        } catch {
            unlink(finalPath)
            throw error
        }
    }

    /// Binds `fd` at `path` under a umask that lets nobody else connect until the permissions are applied:
    /// where no staging directory can be made.
    private static func bindUnixMasked(_ fd: Int32, _ path: String, permissions: Permissions) throws(ListenError) {
        var address = unixAddress(path)
        let previous = umask(0o177)
        let bound = withSocketAddress(&address) { bind(fd, $0, $1) }
        umask(previous)
        guard bound == 0 else { throw failure("bind \(path)") }
        do {
            try applyPermissions(path, permissions)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Calls `body` with `address` seen as a `sockaddr` and its size: for bind() and connect().
    private static func withSocketAddress<Address>(
        _ address: inout Address, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        return address
    }

    /// Removes `path` only if it is a socket nobody accepts on (left by a crash).
    private static func removeStaleSocket(_ path: String) throws(ListenError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenError("\(path) exists and is not a socket; refusing to replace it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(probe) }
        var address = unixAddress(path)
        let connected = withSocketAddress(&address) { connect(probe, $0, $1) }
        guard connected != 0 else { throw ListenError("\(path) is in use by another running server") }
        unlink(path)
    }

    private static func applyPermissions(_ path: String, _ permissions: Permissions) throws(ListenError) {
        var uid: uid_t = uid_t.max  // -1: unchanged
        var gid: gid_t = gid_t.max
        if let owner = permissions.owner {
            guard let entry = getpwnam(owner) else { throw ListenError("unknown user \(owner)") }
            uid = entry.pointee.pw_uid
        }
        if let group = permissions.group {
            guard let entry = getgrnam(group) else { throw ListenError("unknown group \(group)") }
            gid = entry.pointee.gr_gid
        }
        if uid != uid_t.max || gid != gid_t.max {
            guard chown(path, uid, gid) == 0 else { throw failure("chown \(path)") }
        }
        guard chmod(path, permissions.mode) == 0 else { throw failure("chmod \(path)") }
    }

    private static func openTCP(host: String, port: UInt16, backlog: Int32) throws(ListenError) -> Int32 {
        var v4 = in_addr()
        var v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            family = AF_INET6
        } else {
            throw ListenError("\(host) is not a numeric IPv4 or IPv6 address")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            bound = withSocketAddress(&address) { bind(fd, $0, $1) }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            bound = withSocketAddress(&address) { bind(fd, $0, $1) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = failure("bind/listen \(host):\(port)")
            close(fd)
            throw error
        }
        return fd
    }

    /// Whether `fd` is a listening socket (what spawn-fcgi and mod_fcgid hand over as fd 0).
    public static func isListening(_ fd: Int32) -> Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value == 1
    }

    /// The first socket passed by systemd socket activation (`LISTEN_PID`/`LISTEN_FDS`), if any for us.
    public static func systemdSocket(environment: [String: String]) -> Int32? {
        guard let pid = environment["LISTEN_PID"].flatMap({ Int32($0) }), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), count >= 1, isListening(3)
        else { return nil }
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        return 3
    }
}
