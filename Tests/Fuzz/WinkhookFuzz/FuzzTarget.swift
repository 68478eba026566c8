import FuzzHarness

/// libFuzzer's entry point (`make fuzz`): built only with `WINKHOOK_FUZZ=1 swift build --sanitize=fuzzer`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
