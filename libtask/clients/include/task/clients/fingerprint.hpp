#pragma once
/// The fingerprint of an HTTP request stored with an idempotency key
/// (task/service/idempotency.hpp): SHA-256 (lowercase hex, OpenSSL's libcrypto) of
/// "METHOD\nPATH\nBODY". task-server hashes the request it received, task-cli's local mode the
/// request it would have sent, so the same key and request match whichever way they arrive. Pure;
/// thread-safe.
#include <string>
#include <string_view>

namespace task::clients {

/// SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

/// sha256_hex(method + "\n" + path + "\n" + body); `path` without the query string.
std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body);

}  // namespace task::clients
