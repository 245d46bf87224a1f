/**
 * A self-signed certificate for `localhost` and `127.0.0.1` (EC P-256, valid 2026–2126) and its key,
 * for https tests on loopback only. Made with:
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj /CN=localhost
 * -addext subjectAltName=IP:127.0.0.1,DNS:localhost`. Not a secret: nothing but these tests trusts it.
 */
export const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpVlEUgQQEQk5SSXG
cdTTp9gVFvE9eIZn31FHLjE+DUmhRANCAARoDkgQFtKlJr+3vnxc6K5tIpq4sBvS
jOqpY9hIHoFb6wvcCAj6JKovu6lutgFy455Ctkzo3hudDtixddkzzJ/u
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUO4btLc274taNidmm8yujVmMmfiEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNjIzMTg1OVoYDzIxMjYxMTEy
MjMxODU5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARoDkgQFtKlJr+3vnxc6K5tIpq4sBvSjOqpY9hIHoFb6wvcCAj6JKov
u6lutgFy455Ctkzo3hudDtixddkzzJ/uo28wbTAdBgNVHQ4EFgQUZhjt//5XFqtb
fnARtTiDICHArRowHwYDVR0jBBgwFoAUZhjt//5XFqtbfnARtTiDICHArRowDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIhAIlqMO+ruSdKmQ+LtcmXlgjUwichZzFZQ7XRaux/WVd7AiBh
bVS8+mAEq5j831/RnsqOK4X5CnXF033W7cAfZKUveg==
-----END CERTIFICATE-----
`,
} as const;
