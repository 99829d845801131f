/**
 * A self-signed certificate for `localhost` only (valid until 2126), made for these tests with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 * -subj /CN=localhost -addext subjectAltName=DNS:localhost`. It protects nothing.
 */
export const LOCALHOST_CERT = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUXqt5pyh3jVPa6+13bIj/RW8yPz4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE3NTYyOFoYDzIxMjYxMTAx
MTc1NjI4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQqFjkz/L5PMSHTxEQDT/XAzYxCoCCFXO4YxI2gU/mbH1RJIbtUp8Jf
LK/66taUWb0mB8o3SQEAZUGPmIRc3Vtso2kwZzAdBgNVHQ4EFgQUX0lkXxHB8sph
WkTvE0QcSGcVkZowHwYDVR0jBBgwFoAUX0lkXxHB8sphWkTvE0QcSGcVkZowDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIgVsv9/kJSj1Cl/5OUYiPNjXLMy4xw2G06f9n3sJ4M9QsCIQDhknOBtjtF
I0EF2pV4mswmY8E/ersrskoEB8ahwWGJnw==
-----END CERTIFICATE-----
`;

export const LOCALHOST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNzv1EaEN3p8e9er4
FTNVm39OXrO9vPI8TyBkifa5ENWhRANCAAQqFjkz/L5PMSHTxEQDT/XAzYxCoCCF
XO4YxI2gU/mbH1RJIbtUp8JfLK/66taUWb0mB8o3SQEAZUGPmIRc3Vts
-----END PRIVATE KEY-----
`;
