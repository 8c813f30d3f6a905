// base64url without padding: the RFC 4648 §10 vectors in the URL alphabet, round trips of every
// byte value, and characters outside the alphabet.
#include <catch2/catch.hpp>

#include "task/codec/base64url.hpp"

using task::base64url_decode;
using task::base64url_encode;

TEST_CASE("base64url: RFC 4648 vectors without padding", "[codec]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode("\xfb\xff") == "-_8");  // the two URL-safe letters
  CHECK(base64url_decode("Zm9vYmFy") == std::optional<std::string>("foobar"));
}

TEST_CASE("base64url: every byte value round-trips; other characters are refused", "[codec]") {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37)
    CHECK(base64url_decode(base64url_encode(all.substr(0, n))) == all.substr(0, n));
  CHECK_FALSE(base64url_decode("Zg=="));
  CHECK_FALSE(base64url_decode("Zm9v+g"));
  CHECK_FALSE(base64url_decode("Zm9v/g"));
  CHECK_FALSE(base64url_decode(std::string("Zg\0", 3)));
}
