//! Encrypted connections to a team database (TLS, with rustls: nothing from the system's
//! OpenSSL is needed).
//!
//! `sslmode` means what it means to PostgreSQL's own tools: `disable` never encrypts; `prefer`
//! (the default) encrypts when the server offers it; `require` encrypts or does not connect.
//! Neither checks the server's certificate (libpq's `require` does not either): encryption keeps
//! the line private from onlookers, not from someone who can pose as the server. Checking the
//! certificate (`verify-ca`, `verify-full`) is not understood, and is refused by name rather
//! than quietly weakened.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::UserError;

/// The `sslmode` values claimdb understands.
pub const SSL_MODES: [&str; 3] = ["disable", "prefer", "require"];

/// Refuses an `sslmode` in `address` other than [`SSL_MODES`], naming it, before the address
/// parser's own terser refusal. `shown` is the address as it may be shown.
pub fn check_ssl_mode(address: &str, shown: &str) -> Result<(), UserError> {
    let Ok(url) = url::Url::parse(address) else {
        return Ok(());
    };
    for (key, value) in url.query_pairs() {
        if key == "sslmode" && !SSL_MODES.contains(&value.as_ref()) {
            let checks = if value.starts_with("verify") {
                " (claimdb cannot check the server's certificate yet: require encrypts without \
                 checking it)"
            } else {
                ""
            };
            return Err(UserError::Refused(format!(
                "{shown} asks for sslmode={value}, which claimdb does not understand{checks}; \
                 use sslmode=disable, prefer (the default: encrypted when the server offers \
                 it) or require (encrypted, or no connection)"
            )));
        }
    }
    Ok(())
}

/// What makes the TLS session of a connection: any certificate the server shows is taken (see
/// the module's documentation), but the handshake must still be signed by its key.
pub fn connector() -> anyhow::Result<MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Takes the server's certificate unchecked, as libpq's `sslmode=require` does.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_ssl_modes_claimdb_understands_pass_and_others_are_refused_by_name() {
        for mode in SSL_MODES {
            let address = format!("postgres://amal@db.example/desk?sslmode={mode}");
            assert!(check_ssl_mode(&address, "desk").is_ok(), "{mode}");
        }
        assert!(check_ssl_mode("postgres://amal@db.example/desk", "desk").is_ok());
        let error = check_ssl_mode("postgres://db.example/desk?sslmode=verify-full", "desk")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("sslmode=verify-full") && error.contains("certificate"),
            "{error}"
        );
        let error = check_ssl_mode("postgres://db.example/desk?sslmode=allow", "desk")
            .unwrap_err()
            .to_string();
        assert!(error.contains("sslmode=allow, which claimdb does not understand"));
    }
}
